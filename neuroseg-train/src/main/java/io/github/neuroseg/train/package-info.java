/**
 * Training of the 3D slice-segmentation ViT with DJL (PyTorch engine, CPU, offline). Users reach
 * it through {@code NeuroSeg.trainer()}, whose settings and defaults live in the api's {@link
 * io.github.neuroseg.training.TrainerBuilder}; the public types here are the {@link
 * io.github.neuroseg.train.DjlTrainerProvider} that {@link java.util.ServiceLoader} finds, {@link
 * io.github.neuroseg.train.OnnxExport} (a checkpoint to an ONNX model) and {@link
 * io.github.neuroseg.train.PretrainedCheckpoints} (what a 2D checkpoint holds). Inside, one way
 * through: checkpoints are read ({@code SafeTensors}, {@code TorchCheckpoint}) and inflated
 * ({@code PretrainedWeights}), volumes prepared and sampled ({@code PreparedVolume}, {@code
 * BlockSampler}), the network ({@code VitModel}) trained ({@code Trainer}, {@code AdamW}, {@code
 * Losses}) and validated with the inference tiling ({@code Evaluation}), and the best weights
 * written with the model format's ONNX writer.
 */
@NullMarked
package io.github.neuroseg.train;

import org.jspecify.annotations.NullMarked;
