"""Draws the demo's shape images (run once; the PNGs are committed). Not imported by the package."""

from pathlib import Path

from PIL import Image, ImageDraw

SHAPES = [("circle", (220, 60, 60)), ("square", (60, 110, 220)), ("triangle", (40, 160, 90)),
          ("circle", (240, 170, 30)), ("square", (150, 70, 190)), ("triangle", (220, 60, 60)),
          ("circle", (60, 110, 220)), ("square", (40, 160, 90)), ("triangle", (240, 170, 30)),
          ("circle", (150, 70, 190)), ("square", (220, 60, 60)), ("triangle", (60, 110, 220))]


def draw(kind: str, colour: tuple[int, int, int], size: int = 160) -> Image.Image:
    img = Image.new("RGB", (size, size), (246, 246, 242))
    d = ImageDraw.Draw(img)
    m = size // 5
    if kind == "circle":
        d.ellipse([m, m, size - m, size - m], fill=colour)
    elif kind == "square":
        d.rectangle([m, m, size - m, size - m], fill=colour)
    else:
        d.polygon([(size // 2, m), (size - m, size - m), (m, size - m)], fill=colour)
    return img


if __name__ == "__main__":
    out = Path(__file__).parent / "images"
    out.mkdir(exist_ok=True)
    for i, (kind, colour) in enumerate(SHAPES, start=1):
        draw(kind, colour).save(out / f"shape-{i:02d}.png", optimize=True)
