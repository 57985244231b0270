package dev.maskseg.engine.tornado;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.backend.ref.ReferenceBackend;
import dev.maskseg.engine.storage.HostStorage;
import dev.maskseg.engine.storage.Storage;

import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * Runs one op on the host reference kernels, only when the user allowed it ({@code -Dmaskseg.tornado.allowJavaFallback})
 * and its kernel failed to compile: the storages of its views are copied to the host, the reference backend computes,
 * and every storage is copied back (the op's outputs among them). Each such op is logged once and listed.
 */
final class HostFallback {
    private static final Logger LOG = Logger.getLogger(HostFallback.class.getName());
    private final TornadoBackend be;
    private final ReferenceBackend host = new ReferenceBackend("tornado-host");
    private final Set<String> ops = new LinkedHashSet<>();

    HostFallback(TornadoBackend be) {
        this.be = be;
    }

    Set<String> ops() { return ops; }

    void run(String op, String why, BiConsumer<Backend, View[]> call, View[] views) {
        if (ops.add(op)) LOG.warning(why + "; it runs on the host reference kernels (allowed by -D" + TornadoBackendProvider.ALLOW_FALLBACK + ")");
        Map<Storage, HostStorage> copies = new IdentityHashMap<>();
        View[] hostViews = new View[views.length];
        for (int i = 0; i < views.length; i++) {
            View v = views[i];
            if (v == null) continue;
            HostStorage h = copies.computeIfAbsent(v.storage(), be::toHost);
            hostViews[i] = new View(h, v.offset(), v.shape(), v.strides());
        }
        call.accept(host, hostViews);
        copies.forEach((device, h) -> be.upload(h, TornadoBackend.device(device)));
    }
}
