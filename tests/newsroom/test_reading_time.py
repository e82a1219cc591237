"""Reading time as docs/editing.md defines it: 275 words a minute, 12 s for the first image and one less for each
next (never under 3 s), rounded, at least one minute; words counted correctly in Ukrainian and Russian."""

import pytest

from bulletin.newsroom.reading_time import count_words, image_seconds, reading_minutes, text_content


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Kyiv is the capital.", 4),
        # Є, І and Ї lie below U+0410, where the common regular expression's Cyrillic range starts.
        ("Єдність Іспит Їжак Ґанок", 4),
        ("ЄВРОПА ІРПІНЬ ЇЖАК", 3),
        # Apostrophes inside a word, in all three spellings, join it into one word.
        ("п'ять м’ясо сім'я бʼю", 4),
        ("В'ячеслав та Мар’яна прийшли о п’ятій", 6),
        ("Объявлена воздушная тревога в Харькове", 5),
        ("північно-східний фронт", 2),
        ("— 2025 року, 19 січня —", 4),
        ("", 0),
    ],
)
def test_count_words_in_any_script(text, words):
    assert count_words(text) == words


def test_the_words_of_rich_text_are_its_text_not_its_markup():
    markup = '<p>Bread&nbsp;&amp; <a href="https://example.com/water-supply">water</a> in <b>Kharkiv</b></p>'
    assert count_words(text_content(markup)) == 4


def test_image_seconds_follow_the_declining_scale():
    assert image_seconds(0) == 0
    assert image_seconds(1) == 12
    assert image_seconds(2) == 12 + 11
    # 12+11+…+3 for ten images, then 3 s for every further one.
    assert image_seconds(10) == sum(range(3, 13))
    assert image_seconds(12) == sum(range(3, 13)) + 3 + 3


@pytest.mark.parametrize(
    ("words", "images", "minutes"),
    [
        (0, 0, 1),  # at least a minute
        (275, 0, 1),
        (412, 0, 1),  # 1.498 min rounds down
        (413, 0, 2),  # 1.502 min rounds up
        (550, 0, 2),
        (275, 1, 1),  # 60 + 12 s
        (275, 5, 2),  # 60 + 12+11+10+9+8 = 110 s
        (1100, 3, 5),  # 240 + 33 s
    ],
)
def test_reading_minutes(words, images, minutes):
    assert reading_minutes(words, images) == minutes


def test_story_stores_reading_time_on_save(feed_page):
    from bulletin.newsroom.models import Section, StoryPage

    words = " ".join(["п'ять Єдність"] * 300)  # 600 Ukrainian words, 2.18 min
    story = StoryPage(
        title="Їжак",
        slug="reading-time-uk",
        summary="Коротко.",
        section=Section.objects.first(),
        body=[("paragraph", f"<p>{words}</p>")],
    )
    feed_page.add_child(instance=story)
    story.refresh_from_db()
    assert story.reading_minutes == reading_minutes(602, 0) == 2  # headline, summary and body words


def test_images_in_body_and_feature_count(feed_page):
    from wagtail.images import get_image_model

    from bulletin.newsroom.models import Section, StoryPage

    image = get_image_model().objects.first()
    block = {"image": image, "alt": "a", "caption": "", "credit": ""}
    story = StoryPage(
        title="Pictures",
        slug="reading-time-images",
        summary="Short.",
        section=Section.objects.first(),
        feature_image=image,
        feature_image_alt="a",
        body=[("paragraph", "<p>" + "word " * 400 + "</p>")] + [("image", block)] * 4,
    )
    feed_page.add_child(instance=story)
    # 402 words = 87.7 s, five images = 12+11+10+9+8 = 50 s → 137.5 s → 2 min; without the images it would be 1.
    assert story.reading_minutes == 2
    assert reading_minutes(402, 0) == 1
