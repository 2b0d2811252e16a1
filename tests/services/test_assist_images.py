"""Loading an item's image for an assist: caps, orientation, and the decoded-image cache."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from labelworks.core.errors import NotFound, PayloadTooLarge, ValidationFailed
from labelworks.services.assist import _DecodedImages, load_image


def test_caps_and_errors_name_the_field(tmp_path: Path) -> None:
    Image.new("RGB", (300, 200), "red").save(tmp_path / "a.png")
    assert load_image(str(tmp_path / "a.png"), [tmp_path]).shape == (200, 300, 3)
    with pytest.raises(PayloadTooLarge) as err:
        load_image(str(tmp_path / "a.png"), [tmp_path], max_pixels=50_000)
    assert err.value.field == "source-ref" and "300×200" in err.value.message
    (tmp_path / "b.png").write_bytes(b"not an image")
    with pytest.raises(ValidationFailed, match="cannot be read"):
        load_image(str(tmp_path / "b.png"), [tmp_path])
    with pytest.raises(NotFound):
        load_image(str(tmp_path / "a.png"), [tmp_path / "elsewhere"])  # outside the media roots
    with pytest.raises(ValidationFailed, match="web URL"):
        load_image("https://example.org/a.png", [tmp_path])


def test_exif_orientation_is_applied_as_the_browser_does(tmp_path: Path) -> None:
    image = Image.new("RGB", (300, 200), "blue")
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    image.save(tmp_path / "r.jpg", exif=exif)
    assert load_image(str(tmp_path / "r.jpg"), [tmp_path]).shape == (300, 200, 3)


def test_the_cache_hands_out_one_read_only_copy_and_notices_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    Image.new("RGB", (64, 48), (10, 20, 30)).save(path)
    cache = _DecodedImages(max_bytes=10 * 64 * 48 * 3)
    first = cache.get(str(path), [tmp_path])
    assert cache.get(str(path), [tmp_path]) is first and not first.flags.writeable
    Image.new("RGB", (64, 48), (200, 20, 30)).save(path)
    os.utime(path, ns=(1, 1))  # a different modification time, whatever the clock's resolution
    again = cache.get(str(path), [tmp_path])
    assert again is not first and int(again[0, 0, 0]) == 200
    # over the byte budget the oldest goes
    for i in range(12):
        other = tmp_path / f"o{i}.png"
        Image.new("RGB", (64, 48)).save(other)
        cache.get(str(other), [tmp_path])
    assert cache.get(str(path), [tmp_path]) is not again
    assert np.array_equal(cache.get(str(path), [tmp_path]), again)
