/** Sentence embeddings with BERT-style ONNX models: {@link dev.octet.text.SentenceEmbedder}. */
module dev.octet.text {
    // The embedder's errors are the engine's OctetException, and it loads models through Octet.
    requires transitive dev.octet.onnx;
    requires dev.octet.models;

    exports dev.octet.text;
}
