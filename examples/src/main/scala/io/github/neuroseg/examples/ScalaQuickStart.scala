package io.github.neuroseg.examples

import io.github.neuroseg.NeuroSeg
import io.github.neuroseg.metrics.{ReconstructionMetrics, SegmentationMetrics}
import io.github.neuroseg.preview.Projections
import io.github.neuroseg.swc.Swc
import io.github.neuroseg.synth.{GroundTruth, NeuronGenerator, NeuronRenderer}
import io.github.neuroseg.volume.{Volume, Volumes, VoxelSize}

import java.nio.file.{Files, Path}
import java.util.Locale
import scala.util.Using

/** What the example measured. */
final case class ScalaResult(dice: Double, esa: Double, nodes: Int,
    segmentationDice: Double, tracedF1: Double)

/**
 * Renders a synthetic neuron, writes it as a TIFF stack with its mask and SWC, reads everything
 * back and scores the round trip, then segments the image with the bundled model and traces it:
 * Scala 3 calling the neuroseg API.
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

    // segment with the bundled model (the segmenter holds a native session: Using closes it) and
    // trace the result; the SWC comes out in the image's physical units
    val (segmentationDice, traced) =
      Using.resource(NeuroSeg.segmenter().model(NeuroSeg.bundledModel()).build()) { segmenter =>
        val s = segmenter.segment(image)
        (SegmentationMetrics.dice(s.mask(), neuron.mask()), NeuroSeg.tracer().build().trace(s))
      }
    Swc.write(traced, out.resolve("traced.swc"))
    val tracedF1 =
      ReconstructionMetrics.compare(neuron.tree().toVoxels(voxel), traced.toVoxels(voxel)).f1()

    Using.resource(Files.newBufferedWriter(out.resolve("scala-report.txt"))) { w =>
      w.write(String.format(Locale.ROOT, "dice=%.4f%n", dice))
      w.write(String.format(Locale.ROOT, "esa=%.4f%n", scores.esa()))
      w.write(s"nodes=${backTree.size()}\n")
      w.write(String.format(Locale.ROOT, "segmentation_dice=%.4f%n", segmentationDice))
      w.write(String.format(Locale.ROOT, "traced_f1=%.4f%n", tracedF1))
    }
    ScalaResult(dice, scores.esa(), backTree.size(), segmentationDice, tracedF1)

  /** Runs the example; the optional argument is the output folder. */
  def main(args: Array[String]): Unit =
    val out = Path.of(args.headOption.getOrElse("target/scala-example"))
    val r = run(out)
    println(String.format(Locale.ROOT,
      "SCALA dice=%.4f esa=%.4f nodes=%d segmentation_dice=%.4f traced_f1=%.4f -> %s",
      r.dice, r.esa, r.nodes, r.segmentationDice, r.tracedF1, out))
