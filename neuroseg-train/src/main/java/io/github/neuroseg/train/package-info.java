/**
 * Training of the 3D slice-segmentation ViT with DJL (PyTorch engine, CPU, offline): the model
 * ({@link io.github.neuroseg.train.VitModel}), data ({@link io.github.neuroseg.training.LabeledVolume},
 * {@link io.github.neuroseg.train.DataSplit}), the {@link io.github.neuroseg.train.Trainer}, and
 * ONNX export ({@link io.github.neuroseg.train.OnnxExport}).
 */
package io.github.neuroseg.train;
