"""PNG label maps: Ground Truth's colour-coded segmentation images, decoded and encoded.

Ground Truth's ``crowd-semantic-segmentation`` posts a PNG (base64) whose every pixel is a class
colour (``labelMappings``: label -> ``{"color": "#rrggbb"}``), unlabeled pixels white
(``#ffffff``); ``crowd-instance-segmentation`` colours each instance (``instances``:
``[{"color", "label"}]``). Here such a PNG becomes an integer map (0 = white, k = the k-th colour
of a given list) and back. Encoded maps are palette PNGs whose index is the class (or instance)
id and whose palette holds the colours: every reader sees the colours, and the indices are the
"PNG masks" convention (Pascal VOC's ``SegmentationClass``) at the same time.

Bad input raises ``ValueError`` naming ``where`` (the caller turns it into ValidationFailed).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from PIL import Image

__all__ = [
    "BACKGROUND",
    "MAX_PIXELS",
    "MAX_PNG_BYTES",
    "PALETTE",
    "WHITE",
    "decode_png",
    "decode_rgb",
    "encode_index_png",
    "has_transparency",
    "ids_from_rgb",
    "normalise_colour",
    "palette_colours",
    "png_bytes",
]

IntArray = npt.NDArray[np.int64]
RgbArray = npt.NDArray[np.uint8]

WHITE = "#ffffff"
BACKGROUND = "BACKGROUND"  # Ground Truth's name for class 0 in ``internal-color-map``
# The editor's ceiling (issue 4: images up to 100 megapixels); it bounds one submission's memory.
MAX_PIXELS = 100_000_000
# A label map compresses well (large flat regions): 64 MiB of PNG is far above any real one.
MAX_PNG_BYTES = 64 * 1024 * 1024
# Ground Truth's order (its outputs colour the first labels #2ca02c, #1f77b4, #ff7f0e), then the rest of
# d3's category10 / category20: the same list the mask elements use (frontend/src/canvas/mask-palette.ts).
PALETTE = (
    "#2ca02c", "#1f77b4", "#ff7f0e", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    "#17becf", "#98df8a", "#aec7e8", "#ffbb78", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7",
    "#dbdb8d", "#9edae5",
)
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_DATA_URI = re.compile(r"^data:image/png;base64,", re.IGNORECASE)


def normalise_colour(raw: object, where: str) -> str:
    """``#rrggbb`` in lower case."""
    if not isinstance(raw, str) or not _HEX.match(raw):
        raise ValueError(f"{where}: expected a colour like '#1f77b4', got {raw!r}")
    return raw.lower()


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def palette_colours(count: int, taken: Sequence[str] = ()) -> list[str]:
    """``count`` distinct colours, none white nor in ``taken``: the palette first, then a walk
    through the RGB cube (so a project with hundreds of labels still gets distinct colours)."""
    used = {c.lower() for c in taken} | {WHITE}
    out: list[str] = []
    for colour in PALETTE:
        if len(out) == count:
            return out
        if colour not in used:
            out.append(colour)
            used.add(colour)
    k = 0
    while len(out) < count:
        k += 1
        # a multiplicative walk visits 2^24 values before repeating: distinct and spread out
        value = (k * 2654435761) & 0xFFFFFF
        colour = f"#{value:06x}"
        if colour not in used:
            out.append(colour)
            used.add(colour)
    return out


def png_bytes(data: object, where: str) -> bytes:
    """The PNG file in a base64 string (a ``data:image/png;base64,`` prefix is allowed)."""
    if not isinstance(data, str) or not data:
        raise ValueError(f"{where}: expected a base64-encoded PNG")
    text = _DATA_URI.sub("", data, count=1)
    if len(text) > MAX_PNG_BYTES * 4 // 3 + 4:
        raise ValueError(f"{where}: the PNG is larger than {MAX_PNG_BYTES // (1024 * 1024)} MiB")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{where}: not valid base64") from None
    if not raw.startswith(_PNG_SIGNATURE):
        raise ValueError(f"{where}: not a PNG image")
    return raw


def _open(raw: bytes, where: str, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # the size is checked against our own cap below; Pillow's lower bomb warning would fire first
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(raw))
            width, height = img.size
            if width * height > max_pixels:
                raise ValueError(f"{where}: {width} x {height} is more than {max_pixels:,} pixels")
            img.load()
    except ValueError:
        raise
    except (OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError(f"{where}: unreadable PNG ({exc})") from None
    if img.format != "PNG":
        raise ValueError(f"{where}: not a PNG image")
    return img


def has_transparency(raw: bytes) -> bool:
    """Whether a PNG can hold transparent pixels (its header only is read)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(raw)) as img:
            return img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info


def decode_rgb(raw: bytes, where: str, max_pixels: int = MAX_PIXELS) -> RgbArray:
    """H x W x 3 colours; fully transparent pixels count as white (a canvas leaves them so)."""
    img = _open(raw, where, max_pixels)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = np.asarray(img.convert("RGBA"))
        out = np.array(rgba[:, :, :3])
        out[rgba[:, :, 3] == 0] = 255
        return out
    if img.mode in ("RGB", "P", "L", "1", "I;16", "I"):
        if img.mode in ("I;16", "I"):
            raise ValueError(f"{where}: 16-bit PNGs hold class ids, not colours")
        return np.asarray(img.convert("RGB"))
    raise ValueError(f"{where}: unsupported PNG mode {img.mode}")


def decode_png(data: object, where: str, max_pixels: int = MAX_PIXELS) -> RgbArray:
    return decode_rgb(png_bytes(data, where), where, max_pixels)


def ids_from_rgb(rgb: RgbArray, colours: Sequence[str], where: str) -> IntArray:
    """0 where white, k where the (k-1)-th colour of ``colours``; any other colour is refused."""
    packed = (rgb[:, :, 0].astype(np.uint32) << 16) | (rgb[:, :, 1].astype(np.uint32) << 8) | rgb[:, :, 2]
    ids = np.zeros(packed.shape, dtype=np.int64)
    known = packed == 0xFFFFFF
    for k, colour in enumerate(colours, start=1):
        r, g, b = _rgb(colour)
        hit = packed == ((r << 16) | (g << 8) | b)
        ids[hit] = k
        known |= hit
    if not known.all():
        ys, xs = np.nonzero(~known)
        value = int(packed[ys[0], xs[0]])
        count = int((~known).sum())
        raise ValueError(f"{where}: colour #{value:06x} (at x={int(xs[0])}, y={int(ys[0])}; {count:,} pixels "
                         "in unmapped colours) is not mapped to a label; unlabeled pixels are #ffffff")
    return ids


def encode_index_png(ids: npt.NDArray[np.integer], colours: Sequence[str]) -> bytes:
    """A palette PNG: index 0 white, index k the (k-1)-th colour (at most 255 colours), so
    the pixel values are the ids and the shown colours are the map's colours."""
    if len(colours) > 255:
        return _encode_rgb(ids, colours)
    palette = [255, 255, 255]
    for colour in colours:
        palette.extend(_rgb(colour))
    arr = np.ascontiguousarray(ids, dtype=np.uint8)
    # frombytes, not fromarray: fromarray's mode argument is deprecated since Pillow 11.3
    img = Image.frombytes("P", (arr.shape[1], arr.shape[0]), arr.tobytes())
    img.putpalette(palette)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def _encode_rgb(ids: npt.NDArray[np.integer], colours: Sequence[str]) -> bytes:
    table = np.array([(255, 255, 255), *(_rgb(c) for c in colours)], dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(table[np.asarray(ids, dtype=np.int64)]).save(buf, format="PNG")
    return buf.getvalue()
