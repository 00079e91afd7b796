package io.github.neuroseg.train;

import ai.djl.engine.Engine;
import io.github.neuroseg.Device;
import io.github.neuroseg.DeviceException;

/** neuroseg's {@link Device} as a DJL device of the PyTorch engine. */
final class DjlDevices {
  private DjlDevices() {}

  /**
   * The DJL device; a CUDA device must exist.
   *
   * @throws DeviceException when a GPU is asked for and the PyTorch engine sees fewer: the CPU
   *     native library of PyTorch is on the class path, or no GPU is visible
   */
  static ai.djl.Device of(Device device) {
    if (device instanceof Device.Cuda cuda) {
      int count = Engine.getEngine("PyTorch").getGpuCount();
      if (cuda.id() >= count) {
        throw new DeviceException("training on " + cuda + " needs a CUDA GPU, but the PyTorch "
            + "engine sees " + count + " GPU" + (count == 1 ? "" : "s") + ": put PyTorch's CUDA "
            + "native library for DJL (ai.djl.pytorch:pytorch-native-cu<version>, see "
            + "docs/training.md) on the class path instead of pytorch-native-cpu, or train with "
            + "Device.cpu()");
      }
      return ai.djl.Device.gpu(cuda.id());
    }
    return ai.djl.Device.cpu();
  }
}
