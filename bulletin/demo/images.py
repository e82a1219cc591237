"""Generated pictures: abstract feature images and initials avatars, drawn with Pillow."""

import io

from PIL import Image, ImageDraw, ImageFont

PALETTE = [
    (11, 61, 145),
    (196, 69, 54),
    (38, 120, 90),
    (120, 72, 160),
    (214, 150, 30),
    (40, 40, 40),
    (25, 130, 160),
    (150, 60, 90),
]


def feature_image(rng, width=1600, height=900):
    """A JPEG of overlapping shapes on a two-colour gradient, as bytes."""
    top, bottom = rng.sample(PALETTE, 2)
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    for _ in range(rng.randint(4, 9)):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randint(height // 12, height // 3)
        colour = rng.choice(PALETTE) + (rng.randint(60, 160),)
        layer = Image.new("RGBA", img.size)
        shape = ImageDraw.Draw(layer)
        (shape.ellipse if rng.random() < 0.5 else shape.rectangle)([x - r, y - r, x + r, y + r], fill=colour)
        img.paste(layer, mask=layer)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def avatar(name, colour, size=400):
    """A PNG circle with the person's initials, as bytes."""
    img = Image.new("RGB", (size, size), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.ellipse([0, 0, size - 1, size - 1], fill=colour)
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    font = ImageFont.load_default(size=size // 3)
    draw.text((size / 2, size / 2), initials, fill=(255, 255, 255), font=font, anchor="mm")
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()
