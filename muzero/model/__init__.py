"""The model seam: the `Model` protocol on numpy arrays and its implementations (onnxruntime bundles,
torch networks, an in-memory ONNX mirror, symmetry averaging), the bundle format and the ONNX graphs."""
