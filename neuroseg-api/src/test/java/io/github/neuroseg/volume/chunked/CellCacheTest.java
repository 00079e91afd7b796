package io.github.neuroseg.volume.chunked;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.img.cell.Cell;
import org.junit.jupiter.api.Test;

class CellCacheTest {

  private static Cell<ShortArray> cell(long index) {
    return new Cell<>(new int[] {10, 10, 1}, new long[] {index * 10, 0, 0},
        new ShortArray(100));
  }

  @Test
  void keepsAtMostTheBoundAndDropsTheLeastRecentlyUsed() {
    List<Long> loaded = new ArrayList<>();
    // 100 shorts = 200 bytes per cell; room for three
    CellCache<ShortArray> cache = new CellCache<>(650, 2, i -> {
      loaded.add(i);
      return cell(i);
    });
    Cell<ShortArray> c0 = cache.get(0);
    cache.get(1);
    cache.get(2);
    assertSame(c0, cache.get(0), "a cached cell is not loaded again");
    cache.get(3); // evicts 1, the least recently used
    assertEquals(600, cache.bytes());
    cache.get(0);
    cache.get(2);
    cache.get(1);
    assertEquals(List.of(0L, 1L, 2L, 3L, 1L), loaded);
    for (long i = 0; i < 1000; i++) {
      cache.get(i);
      assertTrue(cache.bytes() <= 650, "bound kept: " + cache.bytes());
    }
  }

  @Test
  void aCacheSmallerThanOneCellKeepsTheLastOne() {
    CellCache<ShortArray> cache = new CellCache<>(1, 2, CellCacheTest::cell);
    Cell<ShortArray> a = cache.get(5);
    assertSame(a, cache.get(5));
    cache.get(6);
    assertEquals(200, cache.bytes());
    assertEquals(2, cache.loads());
  }
}
