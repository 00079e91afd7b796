/** Training of the 3D ViT with DJL, pretrained 2D weight inflation and ONNX export. */
package io.github.neuroseg.train;
