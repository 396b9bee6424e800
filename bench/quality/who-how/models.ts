/** The embedders of the who-vs-how benchmark: the product's default and the 512-D alternative. */
export const WHO_HOW_MODELS: readonly string[] = ["faceapi-recognition128", "faceplugin-feature512"];
