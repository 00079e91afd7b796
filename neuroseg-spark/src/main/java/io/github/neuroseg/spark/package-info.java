/**
 * Apache Spark jobs with single-machine results: {@link
 * io.github.neuroseg.spark.BlockSegmentationJob} (a chunked volume segmented block by block,
 * bit for bit as {@code segment()} on the whole volume), {@link io.github.neuroseg.spark.BatchJob}
 * (many stacks segmented and traced, one SWC file each and a table of results) and {@link
 * io.github.neuroseg.spark.ComponentTracingJob} (a segmented chunked volume traced component by
 * component into the forest the single-machine tracer gives), and {@link
 * io.github.neuroseg.spark.SparkMain}, their command line. Spark itself is a provided
 * dependency: {@code spark-submit} brings it, and {@code local[N]} runs need it on the class path.
 */
@NullMarked
package io.github.neuroseg.spark;

import org.jspecify.annotations.NullMarked;
