"""Every built-in assist on real images that ship in wheels (skimage.data), checked against what
is in the picture."""

from __future__ import annotations

import base64
import threading

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from skimage import data, filters, measure, morphology
from scipy import ndimage

from labelworks.assist.builtin.mediapipe_models import POSE_LANDMARKS
from labelworks.assist.registry import registered_assists
from labelworks.core.assist import check_result
from labelworks.core.errors import ValidationFailed

ASTRONAUT = data.astronaut()


def run(name: str, image: np.ndarray, params: dict | None = None) -> list[dict]:
    result = registered_assists()[name].run(image, params or {})
    assert result.assist == name and result.model
    # what a built-in returns passes the same check an HTTP backend's answer does
    assert check_result(result.as_dict(), name, result.model).regions == result.regions
    return result.regions


def decode_mask(region: dict) -> np.ndarray:
    png = np.frombuffer(base64.b64decode(region["png"]), np.uint8)
    img = cv2.imdecode(png, cv2.IMREAD_UNCHANGED)
    assert img.shape[:2] == (region["height"], region["width"])
    return img > 0


def polygon_mask(points: list[dict], shape: tuple[int, int]) -> np.ndarray:
    out = np.zeros(shape, np.uint8)
    cv2.fillPoly(out, [np.array([[p["x"], p["y"]] for p in points], np.int32)], 1)
    return out > 0


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def test_faces_finds_the_astronauts_face() -> None:
    (face,) = run("faces", ASTRONAUT)
    assert face["kind"] == "box" and face["label"] == "face" and face["source"] == "model"
    assert face["score"] > 0.8
    # the face spans about x 178-273, y 83-178 in the 512×512 picture
    assert 168 < face["left"] < 188 and 73 < face["top"] < 93
    assert 263 < face["left"] + face["width"] < 283 and 168 < face["top"] + face["height"] < 188


def test_faces_on_coins_finds_none() -> None:
    coins = np.stack([data.coins()] * 3, axis=-1)
    assert run("faces", coins) == []


def test_person_mask_covers_the_astronaut() -> None:
    mask_region, polygon = run("person", ASTRONAUT)
    assert mask_region["kind"] == "mask" and polygon["kind"] == "polygon"
    assert mask_region["label"] == polygon["label"] == "person"
    mask = decode_mask(mask_region)
    # the face and the suit's chest are the person; the top-right corner (sky / flag pole) is not
    assert mask[83:178, 178:273].mean() > 0.9
    assert mask[300:400, 150:350].mean() > 0.95
    assert mask[:60, 440:].mean() < 0.05
    assert iou(polygon_mask(polygon["points"], mask.shape), mask) > 0.85  # the outline follows the mask


def test_pose_gives_33_named_points_on_the_body() -> None:
    (region,) = run("pose", ASTRONAUT)
    assert region["kind"] == "keypoints"
    points = {p["label"]: p for p in region["points"]}
    assert list(points) == list(POSE_LANDMARKS) and len(points) == 33
    nose = points["nose"]
    assert 178 < nose["x"] < 273 and 83 < nose["y"] < 178  # inside the face box
    assert points["left_shoulder"]["y"] > nose["y"] and points["right_shoulder"]["y"] > nose["y"]
    assert all(0 <= p["score"] <= 1 for p in points.values())


def test_text_reads_rendered_words() -> None:
    image = Image.new("RGB", (640, 200), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=48)
    draw.text((30, 30), "Labelworks 2026", fill="black", font=font)
    draw.text((30, 110), "ASSIST TEXT", fill=(20, 20, 120), font=font)
    regions = run("text", np.asarray(image))
    # the recogniser may drop the space between capitals: compare the words
    assert [r["text"].replace(" ", "") for r in regions] == ["Labelworks2026", "ASSISTTEXT"]
    assert regions[0]["text"] == "Labelworks 2026"
    first = regions[0]
    assert first["kind"] == "polygon" and len(first["points"]) == 4 and first["score"] > 0.9
    xs, ys = [p["x"] for p in first["points"]], [p["y"] for p in first["points"]]
    assert 20 < min(xs) < 40 and 25 < min(ys) < 50 and max(ys) < 100


def test_text_on_a_large_image_comes_back_in_its_pixels() -> None:
    image = Image.new("RGB", (640, 200), "white")
    ImageDraw.Draw(image).text((30, 30), "Labelworks 2026", fill="black", font=ImageFont.load_default(size=48))
    big = np.asarray(image.resize((3200, 1000)))  # read at 1600×500, answered in the 3200×1000 frame
    (region,) = run("text", big)
    assert region["text"] == "Labelworks 2026"
    xs, ys = [p["x"] for p in region["points"]], [p["y"] for p in region["points"]]
    assert 100 < min(xs) < 200 and 125 < min(ys) < 250 and 1800 < max(xs) < 2200 and max(ys) < 500


def _coin_reference() -> tuple[np.ndarray, tuple[int, int, int, int], np.ndarray]:
    """A coin of skimage's coins picture, segmented independently of GrabCut.

    The coins are bright metal on a darker, nearly uniform background, so a threshold (Otsu, per
    the standard skimage coins example) with holes filled separates each coin well; the largest
    coin away from the borders is the reference, and its bounding box plus a few pixels of margin
    is what a worker would draw.
    """
    gray = data.coins()
    bright = gray > filters.threshold_otsu(gray)
    bright = morphology.remove_small_objects(ndimage.binary_fill_holes(morphology.closing(bright, morphology.disk(2))), max_size=200)
    labels = measure.label(bright)
    props = [p for p in measure.regionprops(labels) if p.bbox[0] > 10 and p.bbox[1] > 10
             and p.bbox[2] < gray.shape[0] - 10 and p.bbox[3] < gray.shape[1] - 10]
    coin = max(props, key=lambda p: p.area)
    y0, x0, y1, x1 = coin.bbox
    box = (x0 - 4, y0 - 4, x1 - x0 + 8, y1 - y0 + 8)
    return np.stack([gray] * 3, axis=-1), box, labels == coin.label


def test_grabcut_from_a_box_matches_a_coin() -> None:
    image, (left, top, width, height), reference = _coin_reference()
    mask_region, polygon = run("grabcut", image, {"box": {"left": left, "top": top, "width": width, "height": height}})
    mask = decode_mask(mask_region)
    assert iou(mask, reference) > 0.7
    assert iou(polygon_mask(polygon["points"], mask.shape), reference) > 0.7


def test_grabcut_from_four_extreme_points_matches_a_coin() -> None:
    image, _, reference = _coin_reference()
    ys, xs = np.nonzero(reference)
    extremes = [(xs.min(), ys[xs.argmin()]), (xs[ys.argmin()], ys.min()), (xs.max(), ys[xs.argmax()]),
                (xs[ys.argmax()], ys.max())]
    mask_region, _ = run("grabcut", image, {"points": [{"x": int(x), "y": int(y)} for x, y in extremes]})
    assert iou(decode_mask(mask_region), reference) > 0.7


def test_grabcut_explains_bad_parameters() -> None:
    with pytest.raises(ValidationFailed) as err:
        run("grabcut", ASTRONAUT, {"box": {"left": 10, "top": 10, "width": "wide", "height": 5}})
    assert err.value.field == "params.box.width"
    with pytest.raises(ValidationFailed) as err:
        run("grabcut", ASTRONAUT, {"points": [{"x": 1, "y": 1}]})
    assert err.value.field == "params.points"
    with pytest.raises(ValidationFailed) as err:
        run("grabcut", ASTRONAUT, {})
    assert err.value.field == "params.box"


def test_magic_wand_fills_a_uniform_square_and_stops_at_its_edge() -> None:
    image = np.full((200, 300, 3), 200, np.uint8)
    image[50:150, 100:220] = (30, 90, 160)
    image[50:150, 100:220] += np.random.default_rng(1).integers(0, 10, (100, 120, 3), dtype=np.uint8)  # texture
    image.flags.writeable = False  # as np.asarray(PIL image) gives it: the wand must not need to write
    mask_region, polygon = run("magic-wand", image, {"x": 150, "y": 100, "tolerance": 16})
    mask = decode_mask(mask_region)
    assert mask[50:150, 100:220].all() and mask.sum() == 100 * 120
    xs, ys = [p["x"] for p in polygon["points"]], [p["y"] for p in polygon["points"]]
    assert (min(xs), min(ys), max(xs), max(ys)) == (100, 50, 219, 149)
    with pytest.raises(ValidationFailed) as err:
        run("magic-wand", image, {"x": 400, "y": 10})
    assert err.value.field == "params"


def test_slic_count_and_encoding() -> None:
    (region,) = run("slic", ASTRONAUT, {"segments": 200, "compactness": 10})
    assert region["kind"] == "superpixels" and (region["width"], region["height"]) == (512, 512)
    rgb = cv2.imdecode(np.frombuffer(base64.b64decode(region["png"]), np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
    rgb = rgb.astype(np.int64)
    ids = rgb[:, :, 0] + 256 * rgb[:, :, 1] + 65536 * rgb[:, :, 2]
    assert len(np.unique(ids)) == region["count"] == ids.max() + 1
    assert 100 <= region["count"] <= 300  # SLIC lands near the asked-for 200
    with pytest.raises(ValidationFailed) as err:
        run("slic", ASTRONAUT, {"segments": 0})
    assert err.value.field == "params.segments"


def test_a_model_is_loaded_once_and_threads_take_turns() -> None:
    results: list[dict] = []
    errors: list[BaseException] = []

    def detect() -> None:
        try:
            results.extend(run("faces", ASTRONAUT))
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=detect) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(results) == 4
    assert len({(r["left"], r["top"]) for r in results}) == 1  # the same answer each time


@pytest.mark.parametrize(("name", "params"), [
    ("grabcut", {"box": {"left": 140, "top": 20, "width": 200, "height": 200}}),
    ("grabcut", {"box": {"left": 0, "top": 0, "width": 512, "height": 512}}),  # a crop as wide as the image
    ("magic-wand", {"x": 30, "y": 30}), ("slic", {}), ("faces", {}), ("person", {}), ("pose", {}), ("text", {}),
])
def test_assists_never_write_to_the_image(name: str, params: dict) -> None:
    """The service hands out cached images read-only: every assist must work on one, unchanged."""
    image = ASTRONAUT.copy()
    image.flags.writeable = False
    run(name, image, params)
    assert np.array_equal(image, ASTRONAUT)


def test_a_missing_model_package_is_a_clear_error() -> None:
    from labelworks.assist.lazy import LazyModel, ModelUnavailable

    def build() -> object:
        import labelworks_no_such_model_package  # noqa: F401

        return object()

    model = LazyModel(build, "no-such-package")
    with pytest.raises(ModelUnavailable) as err, model.use():
        pass
    assert err.value.http_status == 409 and "no-such-package" in err.value.message and not model.loaded
