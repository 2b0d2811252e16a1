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
    "decode_ids",
    "decode_png",
    "decode_rgb",
    "encode_index_png",
    "has_transparency",
    "ids_from_rgb",
    "normalise_colour",
    "packed_colour",
    "palette_colours",
    "png_bytes",
]

IntArray = npt.NDArray[np.int64]
PackedArray = npt.NDArray[np.uint32]  # one colour per pixel: R | G << 8 | B << 16 | 0xFF << 24

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
_WHITE_PACKED = 0xFFFFFFFF
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


def decode_rgb(raw: bytes, where: str, max_pixels: int = MAX_PIXELS) -> PackedArray:
    """Each pixel's colour as one uint32 (H x W; see :func:`packed_colour`); fully transparent
    pixels count as white (a canvas leaves unpainted pixels so)."""
    img = _open(raw, where, max_pixels)
    if img.mode in ("I;16", "I", "I;16B", "F"):
        raise ValueError(f"{where}: 16-bit PNGs hold class ids, not colours")
    if img.mode not in ("RGBA", "RGB", "P", "L", "1", "LA", "PA"):
        raise ValueError(f"{where}: unsupported PNG mode {img.mode}")
    transparent = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    # RGBA bytes read as little-endian uint32 words: a free view, one word per pixel
    rgba = np.ascontiguousarray(np.asarray(img.convert("RGBA")))
    packed: PackedArray = rgba.view(np.uint32).reshape(rgba.shape[:2])
    if transparent:
        clear = rgba[:, :, 3] == 0
        packed = packed | np.uint32(0xFF000000)  # the alpha byte plays no part in the colour
        packed[clear] = _WHITE_PACKED
    return packed


def packed_colour(colour: str) -> int:
    """``#rrggbb`` as the uint32 :func:`decode_rgb` gives an opaque pixel of that colour."""
    r, g, b = _rgb(colour)
    return r | (g << 8) | (b << 16) | (0xFF << 24)


def decode_png(data: object, where: str, max_pixels: int = MAX_PIXELS) -> PackedArray:
    return decode_rgb(png_bytes(data, where), where, max_pixels)


def ids_from_rgb(packed: PackedArray, colours: Sequence[str], where: str,
                 values: Sequence[int] | None = None) -> npt.NDArray[np.integer]:
    """0 where white, k where the (k-1)-th colour of ``colours`` (or ``values[k]`` when given);
    any other colour is refused. The ids are uint16 (or wider when ``values`` need it)."""
    keys = np.array([_WHITE_PACKED, *(packed_colour(c) for c in colours)], dtype=np.uint32)
    # one sorted lookup for all colours: O(pixels x log colours), whatever the number of classes
    # (measured faster than a perfect hash here: uint32 modulo is a division per pixel)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    at = np.searchsorted(sorted_keys, packed)
    np.minimum(at, len(sorted_keys) - 1, out=at)
    known = sorted_keys[at] == packed
    if not known.all():
        ys, xs = np.nonzero(~known)
        value = int(packed[ys[0], xs[0]])
        colour = f"#{value & 0xFF:02x}{(value >> 8) & 0xFF:02x}{(value >> 16) & 0xFF:02x}"
        count = int((~known).sum())
        raise ValueError(f"{where}: colour {colour} (at x={int(xs[0])}, y={int(ys[0])}; {count:,} pixels "
                         "in unmapped colours) is not mapped to a label; unlabeled pixels are #ffffff")
    lookup = np.arange(len(keys)) if values is None else np.asarray(values)
    dtype = np.uint16 if lookup.max(initial=0) < 65536 else np.int64
    ids: npt.NDArray[np.integer] = lookup.astype(dtype)[order][at]  # type: ignore[assignment]
    return ids


def decode_ids(data: object, colours: Sequence[str], where: str,
               values: Sequence[int] | None = None) -> npt.NDArray[np.integer]:
    """:func:`ids_from_rgb` of a base64 PNG. A palette PNG (what Labelworks writes) is mapped
    through its palette, colour by used index, without reading each pixel's colour."""
    raw = png_bytes(data, where)
    img = _open(raw, where, MAX_PIXELS)
    if img.mode != "P" or "transparency" in img.info:
        return ids_from_rgb(decode_rgb(raw, where), colours, where, values)
    index = np.asarray(img)
    used = np.flatnonzero(np.bincount(index.ravel(), minlength=256))
    palette = np.zeros((1, 256, 4), dtype=np.uint8)
    entries = np.asarray(img.getpalette() or [], dtype=np.uint8).reshape(-1, 3)[:256]
    palette[0, :len(entries), :3] = entries
    palette[0, :, 3] = 255
    packed = palette.view(np.uint32).reshape(1, 256)
    try:
        mapped = ids_from_rgb(packed[:, used], colours, where, values)[0]
    except ValueError:  # name the first pixel in an unmapped colour, as for any other PNG
        return ids_from_rgb(decode_rgb(raw, where), colours, where, values)
    table = np.zeros(256, dtype=mapped.dtype)
    table[used] = mapped
    ids: npt.NDArray[np.integer] = table[index]
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
