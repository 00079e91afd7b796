package io.github.neuroseg.examples

import io.github.neuroseg.metrics.{ReconstructionMetrics, SegmentationMetrics}
import io.github.neuroseg.preview.Projections
import io.github.neuroseg.swc.Swc
import io.github.neuroseg.synth.{GroundTruth, NeuronGenerator, NeuronRenderer}
import io.github.neuroseg.volume.{Volume, Volumes, VoxelSize}

import java.nio.file.{Files, Path}
import java.util.Locale
import scala.util.Using

/** What the example measured. */
final case class ScalaResult(dice: Double, esa: Double, nodes: Int)

/**
 * Renders a synthetic neuron, writes it as a TIFF stack with its mask and SWC, reads everything
 * back and scores the round trip: Scala 3 calling the neuroseg API.
 */
object ScalaQuickStart:

  def run(out: Path): ScalaResult =
    val dims = Array[Long](80, 96, 20)
    val voxel = VoxelSize.microns(0.4, 0.4, 1.2)
    // the generator works in voxels; rendering takes physical units
    val tree = NeuronGenerator.newBuilder()
      .bounds(dims(0), dims(1), dims(2))
      .seed(7)
      .build()
      .generate()
      .toPhysical(voxel)
    val neuron = NeuronRenderer.newBuilder().seed(7).build().render(tree, dims, voxel)

    Files.createDirectories(out)
    Volumes.write(neuron.image(), out.resolve("image.tif"))
    Volumes.write(new Volume(neuron.mask(), voxel), out.resolve("mask.v3draw"))
    Swc.write(neuron.tree(), out.resolve("neuron.swc"))
    Projections.newBuilder().build().writePngs(
      neuron.image(), neuron.mask(), neuron.tree(),
      out.resolve("projection-xy.png"), out.resolve("projection-xz.png"))

    val image = Volumes.read(out.resolve("image.tif"))
    require(image.dimensions().sameElements(dims), s"read back ${image.dimensions().mkString("x")}")
    val backTree = Swc.read(out.resolve("neuron.swc"))
    val mask = Volumes.read(out.resolve("mask.v3draw"))
    val dice = SegmentationMetrics.dice(mask.image(), GroundTruth.render(backTree, dims, voxel))
    val scores = ReconstructionMetrics.compare(neuron.tree(), backTree)

    Using.resource(Files.newBufferedWriter(out.resolve("scala-report.txt"))) { w =>
      w.write(String.format(Locale.ROOT, "dice=%.4f%n", dice))
      w.write(String.format(Locale.ROOT, "esa=%.4f%n", scores.esa()))
      w.write(s"nodes=${backTree.size()}\n")
    }
    ScalaResult(dice, scores.esa(), backTree.size())

  /** Runs the example; the optional argument is the output folder. */
  def main(args: Array[String]): Unit =
    val out = Path.of(args.headOption.getOrElse("target/scala-example"))
    val r = run(out)
    println(String.format(Locale.ROOT, "SCALA dice=%.4f esa=%.4f nodes=%d -> %s",
      r.dice, r.esa, r.nodes, out))
