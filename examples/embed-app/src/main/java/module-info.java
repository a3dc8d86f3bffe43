module com.example.embed {
    requires dev.octet.text;
    requires dev.octet.onnx;
}
