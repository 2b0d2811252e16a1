/**
 * DOM input → controller, shared by every editor facade (boxes, shapes): pointer gestures with
 * capture, hover, wheel zoom about the cursor, no context menu, Space released on blur.
 */
import type { KeyInput, PointerInput } from "./object-controller";
import type { Point } from "./geometry";
import { toImage, wheelFactor, type Viewport } from "./viewport";

/** What a controller takes from the pointer. */
export interface InputTarget {
  pointerDown(p: PointerInput): void;
  pointerMove(p: PointerInput): void;
  pointerUp(p: PointerInput): void;
  pointerHover(p: PointerInput): void;
  pointerCancel(): void;
  zoomAt(factor: number, anchor: Point): void;
  keyUp(k: KeyInput): void;
}

export interface InputView {
  readonly viewport: Viewport;
  clientToStage(clientX: number, clientY: number): Point;
}

export function keyInput(e: KeyboardEvent): KeyInput {
  return { key: e.key, ctrl: e.ctrlKey, meta: e.metaKey, shift: e.shiftKey, alt: e.altKey };
}

/** Listens on `container`; returns the functions that remove the listeners. */
export function attachInput(container: HTMLElement, view: InputView, c: InputTarget): (() => void)[] {
  const cleanups: (() => void)[] = [];
  const pointer = (e: PointerEvent | WheelEvent): PointerInput => {
    const screen = view.clientToStage(e.clientX, e.clientY);
    return { screen, image: toImage(view.viewport, screen), button: e.button, shift: e.shiftKey };
  };
  const on = <K extends keyof HTMLElementEventMap>(
    type: K,
    fn: (e: HTMLElementEventMap[K]) => void,
    options?: AddEventListenerOptions,
  ): void => {
    container.addEventListener(type, fn, options);
    cleanups.push(() => container.removeEventListener(type, fn, options));
  };
  on("pointerdown", (e) => {
    if (e.button > 1) return;
    e.preventDefault(); // no text selection, no middle-button autoscroll
    container.focus({ preventScroll: true });
    container.setPointerCapture(e.pointerId);
    c.pointerDown(pointer(e));
  });
  on("pointermove", (e) => {
    if (container.hasPointerCapture(e.pointerId)) c.pointerMove(pointer(e));
    else if (e.buttons === 0) c.pointerHover(pointer(e));
  });
  on("pointerup", (e) => {
    if (!container.hasPointerCapture(e.pointerId)) return;
    c.pointerUp(pointer(e)); // before the release: losing capture cancels a gesture
    container.releasePointerCapture(e.pointerId);
  });
  on("pointercancel", () => c.pointerCancel());
  on("lostpointercapture", () => c.pointerCancel());
  on("contextmenu", (e) => e.preventDefault());
  on(
    "wheel",
    (e) => {
      e.preventDefault();
      const p = pointer(e);
      c.zoomAt(wheelFactor(e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY), p.screen);
    },
    { passive: false },
  );
  // Keys are given by the host (keyDown/keyUp) so they work wherever focus is inside it.
  on("blur", () => c.keyUp({ key: " ", ctrl: false, meta: false, shift: false, alt: false }));
  return cleanups;
}
