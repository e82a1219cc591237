import django.core.validators
from django.db import migrations, models

import bulletin.newsroom.models


def create_publication(apps, schema_editor):
    """Create the one row now, so readers' requests (and parallel build workers) never race to create it."""
    PublicationSettings = apps.get_model("newsroom", "PublicationSettings")
    if not PublicationSettings.objects.exists():
        PublicationSettings.objects.create(
            name=bulletin.newsroom.models.default_publication_name(),
            language=bulletin.newsroom.models.default_publication_language(),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicationSettings",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "name",
                    models.CharField(
                        default=bulletin.newsroom.models.default_publication_name,
                        help_text="Exactly as readers and Google News know it. Shown in the masthead, feeds and link previews.",
                        max_length=120,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[^()]+$", "Leave out anything in parentheses (Google News does)."
                            )
                        ],
                        verbose_name="publication name",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        default=bulletin.newsroom.models.default_publication_language,
                        help_text="The language the newsroom publishes in: an ISO 639 code such as en or uk (zh-cn, zh-tw).",
                        max_length=6,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^(?:[a-z]{2,3}|zh-cn|zh-tw)$", "Use an ISO 639 code such as en or uk."
                            )
                        ],
                    ),
                ),
                (
                    "x_account",
                    models.CharField(
                        blank=True,
                        help_text="The newsroom's account on X, such as @bulletin, named in link previews (twitter:site).",
                        max_length=16,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^@[A-Za-z0-9_]{1,15}$", "An X account: @ and up to 15 letters, digits or _."
                            )
                        ],
                        verbose_name="X account",
                    ),
                ),
            ],
            options={
                "verbose_name": "publication",
            },
        ),
        migrations.RunPython(create_publication, migrations.RunPython.noop),
    ]
