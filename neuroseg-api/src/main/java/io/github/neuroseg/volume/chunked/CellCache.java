package io.github.neuroseg.volume.chunked;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;
import net.imglib2.img.cell.Cell;
import net.imglib2.img.cell.LazyCellImg;

/**
 * A bounded least-recently-used cache of loaded cells, by their total size in bytes: what a
 * {@link LazyCellImg} asks for when an accessor enters a cell. Loading happens outside the lock,
 * so threads reading different cells do not wait for each other (two threads asking for the same
 * missing cell may both load it; one result is kept). At least one cell is always kept, so a
 * cache smaller than one cell still works, loading each cell anew when another was used between.
 *
 * @param <A> the cells' data
 */
final class CellCache<A> implements LazyCellImg.Get<Cell<A>> {
  private final long maxBytes;
  private final long bytesPerElement;
  private final LongFunction<Cell<A>> loader;
  private final LinkedHashMap<Long, Cell<A>> cells = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;
  private long loads;

  CellCache(long maxBytes, int bytesPerElement, LongFunction<Cell<A>> loader) {
    this.maxBytes = maxBytes;
    this.bytesPerElement = bytesPerElement;
    this.loader = loader;
  }

  @Override
  public Cell<A> get(long index) {
    synchronized (cells) {
      Cell<A> c = cells.get(index);
      if (c != null) {
        return c;
      }
    }
    Cell<A> loaded = loader.apply(index);
    synchronized (cells) {
      loads++;
      Cell<A> c = cells.get(index);
      if (c != null) {
        return c;
      }
      cells.put(index, loaded);
      bytes += loaded.size() * bytesPerElement;
      var it = cells.entrySet().iterator();
      while (bytes > maxBytes && cells.size() > 1 && it.hasNext()) {
        Map.Entry<Long, Cell<A>> eldest = it.next();
        if (eldest.getKey() == index) {
          continue;
        }
        bytes -= eldest.getValue().size() * bytesPerElement;
        it.remove();
      }
      return loaded;
    }
  }

  /** Bytes held now. */
  long bytes() {
    synchronized (cells) {
      return bytes;
    }
  }

  /** Cells loaded so far (including reloads after eviction). */
  long loads() {
    synchronized (cells) {
      return loads;
    }
  }
}
