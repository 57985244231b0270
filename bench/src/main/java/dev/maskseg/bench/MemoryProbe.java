package dev.maskseg.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory of one call, in-process: the peak of heap used (the sum of the heap pools' peaks, which counts garbage not yet
 * collected, so it overstates what the call needs), the largest heap still in use right after any collection during
 * the call (live data plus old-generation garbage that no collection has reached yet), and the direct and mapped
 * buffers (off-heap). {@link MinHeap} finds what the call really needs: the smallest heap it completes in.
 */
final class MemoryProbe implements AutoCloseable {
    /** Figures in bytes. */
    record Figures(long heapPeak, long afterGcPeak, long offHeapPeak, long nonHeap) {}

    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final AtomicLong afterGcPeak = new AtomicLong();
    private final java.util.Set<String> heapPools = new java.util.HashSet<>();
    private final NotificationListener listener = (n, hb) -> {
        if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) return;
        var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long used = 0;
        for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) if (heapPools.contains(e.getKey())) used += e.getValue().getUsed();
        afterGcPeak.accumulateAndGet(used, Math::max);
    };

    /** Collects, resets the pools' peaks and starts listening to collections. */
    MemoryProbe() {
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            p.resetPeakUsage();
            if (p.getType() == MemoryType.HEAP) heapPools.add(p.getName());
        }
        afterGcPeak.set(heapUsed());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(listener, null, null);
                emitters.add(e);
            }
        }
    }

    Figures figures() {
        long heapPeak = 0, nonHeap = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) heapPeak += p.getPeakUsage().getUsed();
            else nonHeap += p.getUsage().getUsed();
        }
        long offHeap = 0;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) offHeap += b.getMemoryUsed();
        return new Figures(heapPeak, Math.max(afterGcPeak.get(), heapUsed()), offHeap, nonHeap);
    }

    static long heapUsed() { return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(); }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (javax.management.ListenerNotFoundException ignored) {
                // already gone
            }
        }
    }
}
