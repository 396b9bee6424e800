import { inSamplingShare } from "@facedrift/models";
import { describe, expect, it } from "vitest";
import {
  loadTransition,
  modelsForFace,
  saveTransition,
  type Transition,
  transitionOf,
} from "./transition.ts";

const OLD = { id: "faceapi-recognition128", version: "1" };
const NEW = { id: "faceplugin-feature512", version: "0.0.1" };
const MINE = { id: "mine", version: "3" };
const runs = (model: { id: string }) => model.id !== MINE.id;
const during = (share: number): Transition => ({
  current: { model: OLD, dimension: 128 },
  candidate: { model: NEW, dimension: 512, samplingShare: share },
});

describe("modelsForFace", () => {
  it("sends the default model alone without a transition", () => {
    expect(modelsForFace(null, "a", OLD, runs)).toEqual([OLD]);
  });

  it("adds the candidate for the faces its share picks, the same ones every time", () => {
    const ids = Array.from({ length: 200 }, (_, i) => `face-${i}`);
    const picked = ids.filter((id) => modelsForFace(during(0.3), id, OLD, runs).length === 2);
    expect(picked).toEqual(ids.filter((id) => inSamplingShare(id, 0.3)));
    expect(picked.length).toBeGreaterThan(30);
    expect(picked.length).toBeLessThan(90);
    expect(modelsForFace(during(1), "x", OLD, runs)).toEqual([OLD, NEW]);
  });

  it("follows a promotion to a model it can run, and skips a candidate it cannot", () => {
    const promoted: Transition = { current: { model: NEW, dimension: 512 }, candidate: null };
    expect(modelsForFace(promoted, "x", OLD, runs)).toEqual([NEW]);
    const foreign: Transition = {
      current: { model: OLD, dimension: 128 },
      candidate: { model: MINE, dimension: 64, samplingShare: 1 },
    };
    expect(modelsForFace(foreign, "x", OLD, runs)).toEqual([OLD]);
    const foreignCurrent: Transition = { current: { model: MINE, dimension: 64 }, candidate: null };
    expect(modelsForFace(foreignCurrent, "x", OLD, runs)).toEqual([OLD]);
  });
});

describe("transition storage", () => {
  it("reads back what it kept, and nothing from malformed text", () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    };
    saveTransition(storage, "lobby", during(0.5));
    expect(loadTransition(storage, "lobby")).toEqual(during(0.5));
    expect(loadTransition(storage, "other")).toBeNull();
    store.set("facedrift-capture-transition:bad", "{not json");
    expect(loadTransition(storage, "bad")).toBeNull();
    expect(transitionOf({ transition: { current: {} } })).toBeNull();
  });
});
