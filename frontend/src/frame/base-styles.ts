/**
 * The frame's base look. In a cascade layer, so any style a template brings wins over it
 * whatever its order or specificity (adopted sheets otherwise come last in the cascade).
 */
export const FRAME_BASE_CSS = `
@layer lw-base {
  html {
    color-scheme: light;
    -webkit-text-size-adjust: 100%;
  }
  body {
    margin: 0;
    padding: 20px 24px 24px;
    background: #ffffff;
    color: #1d232b;
    font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  }
  img, video, canvas, svg {
    max-width: 100%;
  }
  img, video {
    height: auto;
  }
  p {
    margin: 0 0 0.75em;
  }
  p:last-child {
    margin-bottom: 0;
  }
}
`;
