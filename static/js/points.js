// Typed data: "x, y" pairs, one per line (commas, spaces, tabs or semicolons between the two).
import { FieldError } from "./errors.js";

/** Parse pairs; throw an Error naming the first bad line, or when there are too few or too many. */
export function parsePoints(text, maxPoints, key = "points") {
  const pairs = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith("#")) return;
    const parts = trimmed.split(/[\s,;]+/).map(Number);
    if (parts.length !== 2 || !parts.every(Number.isFinite)) {
      throw new FieldError(key, `line ${i + 1} ("${trimmed}") is not a pair of numbers "x, y"`);
    }
    pairs.push(parts);
  });
  if (pairs.length < 2) throw new FieldError(key, 'type at least two points, one "x, y" pair per line');
  if (pairs.length > maxPoints) throw new FieldError(key, `at most ${maxPoints} points, got ${pairs.length}`);
  return pairs;
}
