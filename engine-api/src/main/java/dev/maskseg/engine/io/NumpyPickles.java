package dev.maskseg.engine.io;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.storage.HostStorage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads plain pickle files whose arrays are numpy ndarrays (detectron2's {@code .pkl} model files, written by Python 2
 * or 3, protocols 2 to 5) without running any code, as {@code pickle.load(f, encoding="latin1")} would read them: the
 * only globals allowed are the ones numpy's own pickling names (ndarray reconstruction, dtype, {@code _frombuffer}),
 * {@code _codecs.encode} of a latin-1 string and {@code bytes()} (how Python 3 writes bytes at protocol 2) and
 * OrderedDict, and all of them
 * only build inert data; any other global is an error naming it. Arrays become host tensors (f2 widened to float32;
 * f4, f8, i4, i8, u1, b1; either byte order; C or Fortran order). Structured and object arrays are refused.
 */
public final class NumpyPickles {
    private static final Set<String> RECONSTRUCT = Set.of("numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct");
    private static final Set<String> FROMBUFFER = Set.of("numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer");
    private static final Set<String> ALLOWED = Set.of("numpy.ndarray", "numpy.dtype", "_codecs.encode", "collections.OrderedDict",
            "__builtin__.bytes", "builtins.bytes");

    private NumpyPickles() {}

    /** The unpickled object: Maps, Lists, scalars, Strings, byte[] and Tensors (host tensors on the default backend). */
    public static Object read(Path file) throws IOException {
        if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString(), null, "does not exist");
        if (!Files.isRegularFile(file)) throw new IOException(file + ": is not a file");
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) throw new IOException(file + ": " + size + " bytes is too large for a pickle file");
        HeapBudget.require(2 * size, file + " (a pickle of " + HeapBudget.human(size) + ", read whole, and its arrays)");
        NumpyHost host = new NumpyHost(file);
        Object root = new Unpickler(Files.readAllBytes(file), file.toString(), host).load();
        return host.resolve(root);
    }

    /** A numpy dtype as pickled: its type string ('f4', 'i8', ...) and, after BUILD, its byte order. */
    private static final class Dtype {
        final String code;
        char order = '<';

        Dtype(String code) { this.code = code; }
    }

    /** An ndarray between _reconstruct and its BUILD; references to it (memo) are replaced by the tensor at the end. */
    private static final class PendingArray {
        Tensor tensor;
    }

    private static final class NumpyHost implements Unpickler.Host {
        private final Path file;

        NumpyHost(Path file) { this.file = file; }

        @Override public void checkGlobal(Unpickler.Global g) throws IOException {
            String name = g.toString();
            if (!RECONSTRUCT.contains(name) && !FROMBUFFER.contains(name) && !ALLOWED.contains(name)) {
                throw new IOException(file + ": pickle names the global '" + name + "', which is not allowed "
                        + "(only numpy arrays and plain data can be loaded; nothing was executed)");
            }
        }

        @Override public Object call(Unpickler.Global fn, List<Object> args) throws IOException {
            String name = fn.toString();
            if (RECONSTRUCT.contains(name)) {
                if (args.isEmpty() || !(args.get(0) instanceof Unpickler.Global cls) || !cls.toString().equals("numpy.ndarray")) {
                    throw bad("_reconstruct of something other than numpy.ndarray: " + args);
                }
                return new PendingArray();
            }
            if (FROMBUFFER.contains(name)) {
                if (args.size() != 4 || !(args.get(1) instanceof Dtype dt) || !(args.get(2) instanceof List<?> shape)
                        || !(args.get(3) instanceof String order)) {
                    throw bad("malformed _frombuffer arguments");
                }
                return array(rawBytes(args.get(0)), dt, shape, order.equals("F"));
            }
            return switch (name) {
                case "numpy.dtype" -> {
                    if (args.isEmpty() || !(args.get(0) instanceof String code)) throw bad("malformed numpy.dtype arguments " + args);
                    yield new Dtype(code);
                }
                case "_codecs.encode" -> {
                    if (args.size() != 2 || !(args.get(0) instanceof String text) || !(args.get(1) instanceof String enc)
                            || !(enc.equals("latin1") || enc.equals("latin-1") || enc.equals("iso-8859-1"))) {
                        throw bad("_codecs.encode is allowed only as latin-1 bytes, got " + args);
                    }
                    yield text.getBytes(StandardCharsets.ISO_8859_1);
                }
                case "collections.OrderedDict" -> new LinkedHashMap<>();
                case "__builtin__.bytes", "builtins.bytes" -> {
                    if (!args.isEmpty()) throw bad("bytes(...) is allowed only without arguments (empty bytes), got " + args);
                    yield new byte[0];
                }
                default -> throw bad("cannot call " + name);
            };
        }

        @Override public Object persistentLoad(Object pid) throws IOException {
            throw bad("persistent ids are not used by plain pickles (got " + pid + ")");
        }

        @Override public Object build(Object obj, Object state) throws IOException {
            if (obj instanceof Dtype dt) {
                if (!(state instanceof List<?> s) || s.size() < 8 || !(s.get(1) instanceof String order) || order.length() != 1
                        || s.get(3) != null || s.get(4) != null) {
                    throw bad("unsupported numpy dtype state " + state + " (structured dtypes are not supported)");
                }
                dt.order = order.charAt(0);
                return dt;
            }
            if (obj instanceof PendingArray a) {
                if (!(state instanceof List<?> s) || s.size() != 5 || !(s.get(1) instanceof List<?> shape) || !(s.get(2) instanceof Dtype dt)
                        || !(s.get(3) instanceof Boolean fortran)) {
                    throw bad("unsupported numpy array state");
                }
                a.tensor = array(rawBytes(s.get(4)), dt, shape, fortran);
                return a;
            }
            if (obj instanceof Map<?, ?> target && state instanceof Map<?, ?> s) {
                @SuppressWarnings("unchecked") Map<Object, Object> t = (Map<Object, Object>) target;
                t.putAll(s);
                return obj;
            }
            throw bad("BUILD on an unsupported object " + (obj == null ? "null" : obj.getClass().getSimpleName()));
        }

        private byte[] rawBytes(Object data) throws IOException {
            if (data instanceof byte[] b) return b;
            if (data instanceof String s) return s.getBytes(StandardCharsets.ISO_8859_1);   // a Python 2 str
            throw bad("numpy array data is not a byte string (object arrays are not supported)");
        }

        private Tensor array(byte[] raw, Dtype dt, List<?> shapeList, boolean fortran) throws IOException {
            int[] shape = new int[shapeList.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!(shapeList.get(i) instanceof Long n) || n < 0 || n > Integer.MAX_VALUE) throw bad("bad array shape " + shapeList);
                shape[i] = n.intValue();
            }
            String code = switch (dt.code.replaceFirst("^[<>|=]", "")) {
                case "f4" -> "F32";
                case "f8" -> "F64";
                case "f2" -> "F16";
                case "i8" -> "I64";
                case "i4" -> "I32";
                case "u1" -> "U8";
                case "b1" -> "BOOL";
                default -> throw bad("numpy dtype '" + dt.code + "' is not supported (f2, f4, f8, i4, i8, u1, b1 are)");
            };
            int width = RawData.width(code);
            long numel = 1;
            for (int s : shape) numel = Math.min(numel * s, 1L << 32); // saturating at 2^32 (times a dimension < 2^31 stays below 2^63): only "more than 2^31-1" matters
            if (numel > Integer.MAX_VALUE) throw bad("numpy array of shape " + shapeList + " has more than 2^31-1 elements (the engine's limit)");
            if (numel * width != raw.length) {
                throw bad("numpy array of shape " + shapeList + " and dtype " + dt.code + " needs " + numel * width + " bytes, has " + raw.length);
            }
            HeapBudget.require(numel * RawData.decodedWidth(code), file + ": a numpy array of shape " + shapeList);
            if (dt.order == '>' && width > 1) swapBytes(raw, width);
            HostStorage host = RawData.decode(code, ByteBuffer.wrap(raw), (int) numel);
            if (!fortran || shape.length < 2) return Tensor.fromHost(host, shape);
            int[] reversed = new int[shape.length], perm = new int[shape.length];
            for (int i = 0; i < shape.length; i++) {
                reversed[i] = shape[shape.length - 1 - i];
                perm[i] = shape.length - 1 - i;
            }
            return Tensor.fromHost(host, reversed).permute(perm).contiguous();
        }

        private static void swapBytes(byte[] raw, int width) {
            for (int i = 0; i < raw.length; i += width)
                for (int a = i, b = i + width - 1; a < b; a++, b--) {
                    byte t = raw[a];
                    raw[a] = raw[b];
                    raw[b] = t;
                }
        }

        private IOException bad(String why) { return new IOException(file + ": " + why); }

        /** The tree with every pending array replaced by its tensor (an array never built is an error). */
        Object resolve(Object root) throws IOException {
            return resolve(root, new IdentityHashMap<>());
        }

        private Object resolve(Object o, IdentityHashMap<Object, Object> seen) throws IOException {
            if (o instanceof PendingArray a) {
                if (a.tensor == null) throw bad("a numpy array was never given its data");
                return a.tensor;
            }
            if (o instanceof Dtype) throw bad("a bare numpy dtype is not data");
            if (seen.containsKey(o)) return seen.get(o);
            if (o instanceof Map<?, ?> m) {
                Map<Object, Object> out = new LinkedHashMap<>();
                seen.put(o, out);
                for (var e : m.entrySet()) out.put(resolve(e.getKey(), seen), resolve(e.getValue(), seen));
                return out;
            }
            if (o instanceof List<?> l) {
                List<Object> out = new ArrayList<>();
                seen.put(o, out);
                for (Object v : l) out.add(resolve(v, seen));
                return out;
            }
            return o;
        }
    }

}
