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
import io.github.neuroseg.tracing.TraceInput
import io.github.neuroseg.volume.Volume
import io.github.neuroseg.volume.Volumes
import io.github.neuroseg.volume.VoxelSize
import java.nio.file.Files
import java.nio.file.Path

/**
 * What the example measured: the round trip through the files (Dice of the mask re-rendered from
 * the SWC read back, ESA between written and read tree) and the bundled model's result against
 * the ground truth (segmentation Dice, node F1 of the traced tree).
 */
data class KotlinResult(
    val dice: Double,
    val esa: Double,
    val nodes: Int,
    val segmentationDice: Double,
    val tracedNodes: Int,
    val f1: Double,
)

/**
 * Renders a synthetic neuron, writes it as a TIFF stack with its mask and SWC, reads everything
 * back and scores the round trip; then segments the stack with the bundled model, traces the mask
 * and scores both against the ground truth: Kotlin calling the neuroseg API.
 */
fun runExample(out: Path): KotlinResult {
    val dims = longArrayOf(128, 112, 24)
    val voxel = VoxelSize.microns(0.5, 0.5, 0.5)
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

    // the segmenter holds native resources: .use {} closes it
    val segmentation = NeuroSeg.segmenter().model(NeuroSeg.bundledModel()).build().use {
        it.segment(image)
    }
    val traced = NeuroSeg.tracer().build().trace(TraceInput.of(segmentation, image))
    Volumes.write(segmentation.maskVolume(), out.resolve("predicted-mask.tif"))
    Swc.write(traced, out.resolve("traced.swc"))
    val segmentationDice = SegmentationMetrics.dice(segmentation.mask(), neuron.mask())
    val tracing = ReconstructionMetrics.compare(neuron.tree(), traced)

    Files.newBufferedWriter(out.resolve("kotlin-report.txt")).use { w ->
        w.write("dice=%.4f%n".format(java.util.Locale.ROOT, dice))
        w.write("esa=%.4f%n".format(java.util.Locale.ROOT, scores.esa()))
        w.write("nodes=${backTree.size()}\n")
        w.write("model_dice=%.4f%n".format(java.util.Locale.ROOT, segmentationDice))
        w.write("model_f1=%.4f%n".format(java.util.Locale.ROOT, tracing.f1()))
    }
    return KotlinResult(dice, scores.esa(), backTree.size(), segmentationDice, traced.size(),
        tracing.f1())
}

/** Runs the example; the optional argument is the output folder. */
fun main(args: Array<String>) {
    val out = Path.of(args.firstOrNull() ?: "target/kotlin-example")
    val r = runExample(out)
    println("KOTLIN dice=%.4f esa=%.4f nodes=%d model_dice=%.4f traced_nodes=%d f1=%.4f -> %s"
        .format(java.util.Locale.ROOT, r.dice, r.esa, r.nodes, r.segmentationDice, r.tracedNodes,
            r.f1, out))
}
