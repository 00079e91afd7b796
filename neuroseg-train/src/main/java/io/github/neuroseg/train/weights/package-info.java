/**
 * Pretrained 2D ViT checkpoints: safetensors and restricted {@code torch.save} readers, shape
 * validation, position-embedding resampling and 2D-to-3D patch-kernel inflation.
 */
package io.github.neuroseg.train.weights;
