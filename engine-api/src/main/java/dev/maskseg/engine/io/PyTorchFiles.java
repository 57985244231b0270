package dev.maskseg.engine.io;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.storage.HostStorage;
import dev.maskseg.engine.storage.Storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads PyTorch {@code torch.save} files (the zip format: {@code data.pkl} + {@code data/<key>} storages)
 * without running any code: the pickle may name only the allow-listed globals below (OrderedDict, the
 * tensor and parameter rebuild functions, storage classes, argparse.Namespace as inert data); any
 * other global is an error naming it, raised before anything else is read.
 */
public final class PyTorchFiles {
    private static final Map<String, String> STORAGES = Map.ofEntries(
            Map.entry("FloatStorage", "F32"), Map.entry("DoubleStorage", "F64"), Map.entry("HalfStorage", "F16"),
            Map.entry("BFloat16Storage", "BF16"), Map.entry("LongStorage", "I64"), Map.entry("IntStorage", "I32"),
            Map.entry("ByteStorage", "U8"), Map.entry("BoolStorage", "BOOL"));
    private static final Set<String> ALLOWED = Set.of("collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_parameter", "argparse.Namespace");
    /** data.pkl of a state dict is kilobytes; a larger one is refused before it is inflated. */
    static final int MAX_PICKLE_BYTES = 256 << 20;
    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};

    private PyTorchFiles() {}

    /** The unpickled object: Maps, Lists, scalars, Strings and Tensors (on the default backend). */
    public static Object read(Path file) throws IOException {
        if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString(), null, "does not exist");
        if (!Files.isRegularFile(file)) throw new IOException(file + ": is not a file");
        byte[] head = new byte[LEGACY_MAGIC.length];
        try (InputStream s = Files.newInputStream(file)) {
            int n = s.readNBytes(head, 0, head.length);
            if (n == head.length && java.util.Arrays.equals(head, LEGACY_MAGIC) || n >= 2 && head[0] == (byte) 0x80 && head[1] == 0x02) {
                throw new IOException(file + ": legacy (non-zip) PyTorch file; re-save it with torch.save(torch.load(f), f) in "
                        + "PyTorch >= 1.6 (the zip format is the default), or convert it to safetensors");
            }
            if (n < 4 || head[0] != 'P' || head[1] != 'K') throw new IOException(file + ": not a PyTorch zip file (no zip header)");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pkl = zip.stream().filter(e -> e.getName().endsWith("data.pkl")).findFirst()
                    .orElseThrow(() -> new IOException(file + ": no data.pkl in the archive"));
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            ZipEntry order = zip.getEntry(prefix + "byteorder");
            if (order != null && new String(zip.getInputStream(order).readAllBytes()).trim().equals("big")) {
                throw new IOException(file + ": big-endian storages are not supported");
            }
            byte[] pickle = readEntry(zip, pkl, file, MAX_PICKLE_BYTES);
            return new Unpickler(pickle, file.toString(), new TorchHost(zip, prefix, file)).load();
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": corrupt zip archive (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The tensors of a state dict in the file: the top-level dict, or the one under the first of
     * {@code keys} present (e.g. "teacher", "state_dict", "model"). Non-tensor entries are skipped.
     */
    public static Map<String, Tensor> stateDict(Path file, List<String> keys) throws IOException {
        Object root = read(file);
        if (!(root instanceof Map<?, ?> m)) throw new IOException(file + ": top-level object is not a dict");
        Object dict = m;
        for (String k : keys) {
            if (m.get(k) instanceof Map<?, ?> inner) {
                dict = inner;
                break;
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : ((Map<?, ?>) dict).entrySet()) {
            if (e.getKey() instanceof String k && e.getValue() instanceof Tensor t) out.put(k, t);
        }
        if (out.isEmpty()) throw new IOException(file + ": no tensors found (top-level keys " + m.keySet() + ")");
        return out;
    }

    /**
     * At most {@code max} bytes of an entry; more is an error. The sizes a zip declares are not trusted (a small
     * compressed entry may inflate to gigabytes), so the limit applies to what is actually read.
     */
    private static byte[] readEntry(ZipFile zip, ZipEntry e, Path file, int max) throws IOException {
        if (e.getSize() > max) throw new IOException(file + ": entry " + e.getName() + " holds " + e.getSize() + " bytes, more than the " + max + " expected");
        HeapBudget.require(Math.min(max, e.getSize() < 0 ? max : e.getSize()), file + ": entry " + e.getName());
        try (InputStream s = zip.getInputStream(e)) {
            byte[] b = s.readNBytes(max);
            if (s.read() >= 0) throw new IOException(file + ": entry " + e.getName() + " inflates to more than the " + max + " bytes expected");
            return b;
        }
    }

    /** Resolves the allow-listed globals, storages and rebuild calls; storages are loaded once per key. */
    private static final class TorchHost implements Unpickler.Host {
        private final ZipFile zip;
        private final String prefix;
        private final Path file;
        private final Map<String, Storage> storages = new HashMap<>();
        private final Backend backend = Backends.defaultBackend();

        TorchHost(ZipFile zip, String prefix, Path file) {
            this.zip = zip;
            this.prefix = prefix;
            this.file = file;
        }

        @Override
        public void checkGlobal(Unpickler.Global g) throws IOException {
            boolean storage = g.module().equals("torch") && STORAGES.containsKey(g.name());
            if (!storage && !ALLOWED.contains(g.toString())) {
                throw new IOException(file + ": pickle names the global '" + g + "', which is not allowed "
                        + "(only state-dict data can be loaded; nothing was executed)");
            }
        }

        @Override
        public Object call(Unpickler.Global fn, List<Object> args) throws IOException {
            return switch (fn.toString()) {
                case "collections.OrderedDict", "argparse.Namespace" -> new LinkedHashMap<>();
                case "torch._utils._rebuild_parameter" -> args.get(0);
                case "torch._utils._rebuild_tensor_v2" -> rebuildTensor(args);
                default -> throw new IOException(file + ": cannot call " + fn);
            };
        }

        @Override
        public Object build(Object obj, Object state) throws IOException {
            if (obj instanceof Map<?, ?> target && state instanceof Map<?, ?> s) {
                @SuppressWarnings("unchecked") Map<Object, Object> t = (Map<Object, Object>) target;
                t.putAll(s);
                return obj;
            }
            if (obj instanceof Tensor) return obj;   // tensor state (hooks, requires_grad) carries no data
            throw new IOException(file + ": BUILD on an unsupported object " + (obj == null ? "null" : obj.getClass().getSimpleName()));
        }

        @Override
        public Object persistentLoad(Object pid) throws IOException {
            if (!(pid instanceof List<?> t) || t.size() < 5 || !"storage".equals(t.get(0))
                    || !(t.get(1) instanceof Unpickler.Global type) || !(t.get(2) instanceof String key) || !(t.get(4) instanceof Long numel)) {
                throw new IOException(file + ": unexpected persistent id " + PickleValues.describe(pid));
            }
            String code = type.module().equals("torch") ? STORAGES.get(type.name()) : null;
            if (code == null) throw new IOException(file + ": storage data/" + key + " has the type " + type + ", not a torch storage");
            if (numel < 0 || numel > Integer.MAX_VALUE) {
                throw new IOException(file + ": storage data/" + key + " claims " + numel + " elements (the engine holds at most 2^31-1)");
            }
            Storage cached = storages.get(key);
            if (cached != null) return cached;
            ZipEntry e = zip.getEntry(prefix + "data/" + key);
            if (e == null) throw new IOException(file + ": storage data/" + key + " is missing from the archive");
            long need = numel * RawData.width(code);
            if (need > Integer.MAX_VALUE - 16) throw new IOException(file + ": storage data/" + key + " of " + need + " bytes is larger than one entry can be read");
            HeapBudget.require(need + (long) numel * RawData.decodedWidth(code), file + ": storage data/" + key + " (" + type.name() + " of " + numel + " elements)");
            byte[] raw = readEntry(zip, e, file, (int) need);
            if (raw.length < need) {
                throw new IOException(file + ": storage data/" + key + " has " + raw.length + " bytes, " + type.name() + " of " + numel + " needs " + need);
            }
            HostStorage host = RawData.decode(code, ByteBuffer.wrap(raw), (int) (long) numel);
            Storage s = backend.fromHost(host);
            storages.put(key, s);
            return s;
        }

        /**
         * _rebuild_tensor_v2(storage, offset, size, stride, ...): every number is checked in long arithmetic before
         * anything is allocated (sizes and strides non-negative, offset within the storage, the last element inside it,
         * the element count within the engine's 2^31-1 and the heap).
         */
        private Tensor rebuildTensor(List<Object> args) throws IOException {
            if (args.size() < 4 || !(args.get(0) instanceof Storage storage) || !(args.get(1) instanceof Long offset)
                    || !(args.get(2) instanceof List<?> size) || !(args.get(3) instanceof List<?> stride) || size.size() != stride.size()) {
                throw new IOException(file + ": malformed _rebuild_tensor_v2 arguments");
            }
            if (size.size() > 64) throw new IOException(file + ": a tensor of " + size.size() + " dimensions");
            int[] shape = new int[size.size()], strides = new int[size.size()];
            long elements = 1, last = offset;
            boolean inside = offset >= 0;
            for (int i = 0; i < shape.length; i++) {
                if (!(size.get(i) instanceof Long d) || !(stride.get(i) instanceof Long st)) {
                    throw new IOException(file + ": a tensor's size and stride must be integers, got " + PickleValues.describe(size) + " and " + PickleValues.describe(stride));
                }
                if (d < 0 || st < 0 || d > Integer.MAX_VALUE || st > Integer.MAX_VALUE) {
                    throw new IOException(file + ": a tensor has size " + d + " with stride " + st + " (sizes and strides must be in [0, 2^31-1])");
                }
                shape[i] = (int) (long) d;
                strides[i] = (int) (long) st;
                elements = Math.min(elements * d, 1L << 32); // saturates at 2^32 (times a size < 2^31 stays below 2^63): only "more than 2^31-1" matters
                if (d > 0 && inside) {
                    try {
                        last = Math.addExact(last, (d - 1) * st); // each product < 2^62
                    } catch (ArithmeticException overflow) {
                        inside = false;
                    }
                }
            }
            if (elements > Integer.MAX_VALUE) {
                throw new IOException(file + ": a tensor of shape " + java.util.Arrays.toString(shape) + " has more than 2^31-1 elements (the engine's limit)");
            }
            if (elements > 0 && (!inside || last >= storage.length())) {
                throw new IOException(file + ": tensor of shape " + java.util.Arrays.toString(shape) + ", strides " + java.util.Arrays.toString(strides)
                        + " at offset " + offset + " runs outside its storage (" + storage.length() + " elements)");
            }
            if (elements == 0 && (offset < 0 || offset > storage.length())) {
                throw new IOException(file + ": an empty tensor at offset " + offset + " outside its storage (" + storage.length() + " elements)");
            }
            HeapBudget.require(elements * storage.dtype().bytes(), file + ": a tensor of shape " + java.util.Arrays.toString(shape));
            return new Tensor(backend, storage, (int) (long) offset, shape, strides).contiguous();
        }
    }
}
