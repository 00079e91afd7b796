@file:JvmName("KotlinQuickStart")

package io.github.neuroseg.examples

import io.github.neuroseg.NeuroSeg
import io.github.neuroseg.metrics.ReconstructionMetrics
import io.github.neuroseg.metrics.SegmentationMetrics
import io.github.neuroseg.preview.Projections
import io.github.neuroseg.swc.Swc
import io.github.neuroseg.synth.GroundTruth
import io.github.neuroseg.synth.NeuronGenerator
import io.github.neuroseg.synth.NeuronRenderer
import io.github.neuroseg.volume.Volume
import io.github.neuroseg.volume.Volumes
import io.github.neuroseg.volume.VoxelSize
import java.nio.file.Files
import java.nio.file.Path

/** What the example measured. */
data class KotlinResult(
    val dice: Double,
    val esa: Double,
    val nodes: Int,
    /** Dice of the bundled model's mask against the rendered ground truth. */
    val segmentationDice: Double,
    /** Node F1 of the traced reconstruction against the rendered tree. */
    val tracedF1: Double,
)

/**
 * Renders a synthetic neuron, writes it as a TIFF stack with its mask and SWC, reads everything
 * back and scores the round trip, then segments the image with the bundled model and traces it:
 * Kotlin calling the neuroseg API.
 */
fun runExample(out: Path): KotlinResult {
    val dims = longArrayOf(96, 80, 24)
    val voxel = VoxelSize.microns(0.5, 0.5, 1.5)
    // the generator works in voxels; rendering takes physical units
    val tree = NeuronGenerator.newBuilder()
        .bounds(dims[0], dims[1], dims[2])
        .seed(42)
        .build()
        .generate()
        .toPhysical(voxel)
    val neuron = NeuronRenderer.newBuilder().seed(42).build().render(tree, dims, voxel)

    Files.createDirectories(out)
    Volumes.write(neuron.image(), out.resolve("image.tif"))
    Volumes.write(Volume(neuron.mask(), voxel), out.resolve("mask.tif"))
    Swc.write(neuron.tree(), out.resolve("neuron.swc"))
    Projections.newBuilder().build().writePngs(
        neuron.image(), neuron.mask(), neuron.tree(),
        out.resolve("projection-xy.png"), out.resolve("projection-xz.png"),
    )

    val image = Volumes.read(out.resolve("image.tif"))
    check(image.dimensions().contentEquals(dims)) { "read back ${image.dimensions().toList()}" }
    val backTree = Swc.read(out.resolve("neuron.swc"))
    val mask = Volumes.read(out.resolve("mask.tif"))
    val dice = SegmentationMetrics.dice(mask.image(), GroundTruth.render(backTree, dims, voxel))
    val scores = ReconstructionMetrics.compare(neuron.tree(), backTree)

    // segment with the bundled model (the segmenter holds a native session: .use closes it) and
    // trace the result; the SWC comes out in the image's physical units
    val (segmentationDice, traced) = NeuroSeg.segmenter().model(NeuroSeg.bundledModel()).build()
        .use { segmenter ->
            val s = segmenter.segment(image)
            SegmentationMetrics.dice(s.mask(), neuron.mask()) to NeuroSeg.tracer().build().trace(s)
        }
    Swc.write(traced, out.resolve("traced.swc"))
    val tracedF1 = ReconstructionMetrics.compare(neuron.tree().toVoxels(voxel), traced.toVoxels(voxel))
        .f1()

    Files.newBufferedWriter(out.resolve("kotlin-report.txt")).use { w ->
        w.write("dice=%.4f%n".format(java.util.Locale.ROOT, dice))
        w.write("esa=%.4f%n".format(java.util.Locale.ROOT, scores.esa()))
        w.write("nodes=${backTree.size()}\n")
        w.write("segmentation_dice=%.4f%n".format(java.util.Locale.ROOT, segmentationDice))
        w.write("traced_f1=%.4f%n".format(java.util.Locale.ROOT, tracedF1))
    }
    return KotlinResult(dice, scores.esa(), backTree.size(), segmentationDice, tracedF1)
}

/** Runs the example; the optional argument is the output folder. */
fun main(args: Array<String>) {
    val out = Path.of(args.firstOrNull() ?: "target/kotlin-example")
    val r = runExample(out)
    println("KOTLIN dice=%.4f esa=%.4f nodes=%d segmentation_dice=%.4f traced_f1=%.4f -> %s".format(
        java.util.Locale.ROOT, r.dice, r.esa, r.nodes, r.segmentationDice, r.tracedF1, out))
}
