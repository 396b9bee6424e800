/**
 * @module
 * Small uPlot plugins drawn on the canvas after the series: vertical markers at given x values
 * (change points) and horizontal reference lines at given y values (PSI's 0.1 and 0.25).
 */
import type uPlot from "uplot";

export interface Marker {
  x: number;
  label?: string;
}

/** Dashed vertical lines with a small label at the top, for change points or a drift start. */
export function verticalMarkers(markers: readonly Marker[], color = "#dc2626"): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const { ctx, bbox } = u;
          ctx.save();
          ctx.strokeStyle = color;
          ctx.fillStyle = color;
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          // uPlot leaves the last axis's alignment ("right") and baseline ("middle") on the
          // context; the rows below place each label by its left edge and alphabetic baseline
          // (with "right" each label ended where it was meant to start, over its neighbour).
          ctx.textAlign = "left";
          ctx.textBaseline = "alphabetic";
          // Labels take turns on two rows; one that would still overlap a drawn label is left out
          // (its line stays, and the list under the chart names every marker).
          const rows = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
          const sorted = [...markers].sort((a, b) => a.x - b.x);
          for (const marker of sorted) {
            const x = Math.round(u.valToPos(marker.x, "x", true));
            if (x < bbox.left || x > bbox.left + bbox.width) continue;
            ctx.beginPath();
            ctx.moveTo(x, bbox.top);
            ctx.lineTo(x, bbox.top + bbox.height);
            ctx.stroke();
            if (marker.label) {
              const textWidth = ctx.measureText(marker.label).width;
              // Flip the label left of the line near the right edge so it stays inside.
              const left = x + 4 + textWidth > bbox.left + bbox.width ? x - 4 - textWidth : x + 4;
              const row = rows.findIndex((right) => left > right + 6 * devicePixelRatio);
              if (row === -1) continue;
              ctx.fillText(marker.label, left, bbox.top + (12 + row * 13) * devicePixelRatio);
              rows[row] = left + textWidth;
            }
          }
          ctx.restore();
        },
      ],
    },
  };
}

export interface Threshold {
  y: number;
  color: string;
  label: string;
}

/** Horizontal lines across the plot, each with its label at the right end. */
export function horizontalLines(lines: readonly Threshold[], scale = "y"): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const { ctx, bbox } = u;
          ctx.save();
          ctx.lineWidth = 1.25 * devicePixelRatio;
          ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          ctx.textAlign = "right";
          // The white box below is sized for text on its alphabetic baseline; uPlot's leftover
          // "middle" drew the label half out of its box, struck by its own line.
          ctx.textBaseline = "alphabetic";
          for (const line of lines) {
            const y = Math.round(u.valToPos(line.y, scale, true));
            if (y < bbox.top || y > bbox.top + bbox.height) continue;
            ctx.strokeStyle = line.color;
            ctx.beginPath();
            ctx.moveTo(bbox.left, y);
            ctx.lineTo(bbox.left + bbox.width, y);
            ctx.stroke();
            // On a white box above the line, so neither the line nor the data strikes it through.
            const width = ctx.measureText(line.label).width;
            const height = 13 * devicePixelRatio;
            const right = bbox.left + bbox.width - 4;
            const below = y - height - 3 * devicePixelRatio < bbox.top;
            const top = below ? y + 3 * devicePixelRatio : y - height - 3 * devicePixelRatio;
            ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
            ctx.fillRect(right - width - 3 * devicePixelRatio, top, width + 6 * devicePixelRatio, height);
            ctx.fillStyle = line.color;
            ctx.fillText(line.label, right, top + height - 3 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
}
