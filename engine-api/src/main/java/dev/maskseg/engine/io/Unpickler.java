package dev.maskseg.engine.io;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle reader that executes nothing: it builds plain Java values (Map, List, Long, Double, String,
 * Boolean, byte[], null) and hands every GLOBAL, REDUCE, NEWOBJ, BUILD and persistent id to a
 * {@link Host}, which allows or rejects them. Lengths are checked against the data before allocating, and what a
 * pickle may build is bounded ({@link Limits}): the total work (opcodes plus items moved into containers, which also
 * bounds every container and the memo), the nesting depth and cycles of the result, and dict keys, which must be
 * hashable with bounded work (see {@link PickleValues}).
 */
final class Unpickler {
    /**
     * @param work        opcodes executed plus items moved into containers
     * @param depth       how deep containers may nest in the result
     * @param keyElements the most elements a tuple used as a dict key may have (counted in its expanded tree)
     * @param intBytes    the longest LONG1/LONG4 integer
     */
    record Limits(long work, int depth, int keyElements, int intBytes) {
        static final Limits DEFAULT = new Limits(20_000_000, 100, 1_000, 1_024);
    }

    /** A class or function named by the pickle; only the host gives it meaning. */
    record Global(String module, String name) {
        @Override public String toString() { return module + "." + name; }
    }

    interface Host {
        /** Called at GLOBAL time: throw to reject a name before anything else is read. */
        void checkGlobal(Global g) throws IOException;

        Object call(Global callable, List<Object> args) throws IOException;

        Object persistentLoad(Object pid) throws IOException;

        /** BUILD: obj.__setstate__(state) for the objects the host created. */
        Object build(Object obj, Object state) throws IOException;
    }

    private static final Object MARK = new Object();
    private final ByteBuffer in;
    private final String source;
    private final Host host;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Limits limits;
    private long work;

    Unpickler(byte[] data, String source, Host host) { this(data, source, host, Limits.DEFAULT); }

    Unpickler(byte[] data, String source, Host host, Limits limits) {
        this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
        this.host = host;
        this.limits = limits;
    }

    /** The pickle's value, checked for cycles and depth. */
    Object load() throws IOException {
        Object root = run();
        String wrong = PickleValues.checkGraph(root, limits.depth());
        if (wrong != null) throw bad(wrong);
        return root;
    }

    private Object run() throws IOException {
        try {
            while (true) {
                work(1);
                int op = in.get() & 0xFF;
                switch (op) {
                    case 0x80 -> in.get();                                          // PROTO
                    case 0x95 -> in.getLong();                                      // FRAME
                    case 0x2e -> { return pop(); }                                  // STOP
                    case 0x28 -> marks.add(stack.size());                            // MARK
                    case 0x7d -> stack.add(new LinkedHashMap<>());                   // EMPTY_DICT
                    case 0x5d, 0x8f -> stack.add(new ArrayList<>());                 // EMPTY_LIST, EMPTY_SET
                    case 0x29 -> stack.add(new PickleValues.Tuple(new Object[0]));     // EMPTY_TUPLE
                    case 0x4e -> stack.add(null);                                    // NONE
                    case 0x88 -> stack.add(Boolean.TRUE);
                    case 0x89 -> stack.add(Boolean.FALSE);
                    case 0x4a -> stack.add((long) in.getInt());                      // BININT
                    case 0x4b -> stack.add((long) (in.get() & 0xFF));                // BININT1
                    case 0x4d -> stack.add((long) (in.getShort() & 0xFFFF));         // BININT2
                    case 0x8a -> stack.add(longN(in.get() & 0xFF));                  // LONG1
                    case 0x8b -> stack.add(longN(intLength(in.getInt())));           // LONG4
                    case 0x47 -> stack.add(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT, big-endian
                    case 0x58 -> stack.add(string(length(in.getInt())));             // BINUNICODE
                    case 0x8c -> stack.add(string(in.get() & 0xFF));                 // SHORT_BINUNICODE
                    case 0x8d -> stack.add(string(length(in.getLong())));            // BINUNICODE8
                    case 0x55 -> stack.add(latin1(in.get() & 0xFF));                 // SHORT_BINSTRING (Python 2 str)
                    case 0x54 -> stack.add(latin1(length(in.getInt())));             // BINSTRING
                    case 0x43 -> stack.add(bytes(in.get() & 0xFF));                  // SHORT_BINBYTES
                    case 0x42 -> stack.add(bytes(length(in.getInt())));              // BINBYTES
                    case 0x8e, 0x96 -> stack.add(bytes(length(in.getLong())));       // BINBYTES8, BYTEARRAY8
                    case 0x71 -> memo.put((long) (in.get() & 0xFF), peek());          // BINPUT
                    case 0x72 -> memo.put(in.getInt() & 0xFFFFFFFFL, peek());         // LONG_BINPUT
                    case 0x94 -> memo.put((long) memo.size(), peek());                // MEMOIZE
                    case 0x68 -> stack.add(memoGet(in.get() & 0xFF));                 // BINGET
                    case 0x6a -> stack.add(memoGet(in.getInt() & 0xFFFFFFFFL));       // LONG_BINGET
                    case 0x30 -> pop();                                               // POP
                    case 0x32 -> stack.add(peek());                                   // DUP
                    case 0x31 -> popMark();                                           // POP_MARK
                    case 0x74 -> stack.add(new PickleValues.Tuple(popMark().toArray())); // TUPLE
                    case 0x85 -> stack.add(tuple(1));
                    case 0x86 -> stack.add(tuple(2));
                    case 0x87 -> stack.add(tuple(3));
                    case 0x6c -> stack.add(new ArrayList<>(popMark()));               // LIST
                    case 0x64 -> stack.add(dict(popMark(), new LinkedHashMap<>()));   // DICT
                    case 0x61 -> { Object v = pop(); list(peek()).add(v); }            // APPEND (counted as its opcode)
                    case 0x65, 0x90 -> { List<Object> items = popMark(); list(peek()).addAll(items); } // APPENDS, ADDITEMS
                    case 0x73 -> { Object v = pop(), k = pop(); map(peek()).put(key(k), v); } // SETITEM
                    case 0x75 -> { List<Object> kv = popMark(); dict(kv, map(peek())); } // SETITEMS
                    case 0x63 -> stack.add(global(line(), line()));                   // GLOBAL
                    case 0x93 -> { Object name = pop(), module = pop(); stack.add(global(str(module), str(name))); } // STACK_GLOBAL
                    case 0x52, 0x81 -> { Object args = pop(), fn = pop(); stack.add(host.call(callable(fn), arguments(args))); } // REDUCE, NEWOBJ
                    case 0x62 -> { Object state = pop(), obj = pop(); stack.add(host.build(obj, state)); } // BUILD
                    case 0x51 -> stack.add(host.persistentLoad(pop()));               // BINPERSID
                    default -> throw bad(String.format("unsupported pickle opcode 0x%02x at byte %d", op, in.position() - 1));
                }
            }
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw bad("truncated or corrupt pickle at byte " + in.position());
        } catch (ClassCastException | UnsupportedOperationException e) {
            throw bad("malformed pickle at byte " + in.position() + " (an opcode met a value of the wrong type)");
        } catch (StackOverflowError e) {
            throw bad("malformed pickle at byte " + in.position() + " (its values nest too deeply to process)");
        }
    }

    private IOException bad(String why) { return new IOException(source + ": " + why); }

    private void work(long n) throws IOException {
        work += n;
        if (work > limits.work()) {
            throw bad("the pickle does more than " + limits.work() + " steps of work (opcodes and container items); refused as a resource-exhaustion pickle");
        }
    }

    private Object key(Object k) throws IOException {
        String why = PickleValues.unhashable(k, limits.keyElements());
        if (why != null) throw bad("dict with " + why + " at byte " + in.position());
        return k;
    }

    private List<Object> arguments(Object args) throws IOException {
        if (args instanceof List<?>) return list(args);
        throw bad("REDUCE/NEWOBJ arguments are " + PickleValues.describe(args) + ", not a tuple");
    }

    private int intLength(long n) throws IOException {
        if (n > limits.intBytes()) throw bad("an integer of " + n + " bytes (more than " + limits.intBytes() + ")");
        return length(n);
    }

    private Global global(String module, String name) throws IOException {
        Global g = new Global(module, name);
        host.checkGlobal(g);
        return g;
    }

    private Global callable(Object fn) throws IOException {
        if (fn instanceof Global g) return g;
        throw bad("REDUCE on a value that is not a global: " + PickleValues.describe(fn));
    }

    private int length(long n) throws IOException {
        if (n < 0 || n > in.remaining()) throw bad("length " + n + " runs past the end of the pickle");
        return (int) n;
    }

    private String string(int n) throws IOException {
        return new String(bytes(length(n)), StandardCharsets.UTF_8);
    }

    /** Python 2 str, read as pickle.load(..., encoding="latin1") does: one char per byte. */
    private String latin1(int n) throws IOException {
        return new String(bytes(length(n)), StandardCharsets.ISO_8859_1);
    }

    private byte[] bytes(int n) throws IOException {
        byte[] b = new byte[length(n)];
        in.get(b);
        return b;
    }

    private Object longN(int n) throws IOException {
        byte[] le = bytes(n);
        if (n == 0) return 0L;
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) be[i] = le[n - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (byte b; (b = in.get()) != '\n'; ) {
            sb.append((char) (b & 0xFF));
            if (sb.length() > 1000) throw bad("GLOBAL name too long");
        }
        return sb.toString();
    }

    private Object memoGet(long key) throws IOException {
        if (!memo.containsKey(key)) throw bad("memo key " + key + " was never stored");
        return memo.get(key);
    }

    private Object pop() throws IOException {
        if (stack.isEmpty()) throw bad("pickle stack underflow");
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) throw bad("unexpected MARK");
        return o;
    }

    private Object peek() throws IOException {
        if (stack.isEmpty()) throw bad("pickle stack underflow");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() throws IOException {
        if (marks.isEmpty()) throw bad("pickle MARK missing");
        int m = marks.remove(marks.size() - 1);
        if (m > stack.size()) throw bad("pickle MARK lies above the stack");
        work(stack.size() - m);
        List<Object> items = new ArrayList<>(stack.subList(m, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private List<Object> tuple(int n) throws IOException {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) items[i] = pop();
        return new PickleValues.Tuple(items);
    }

    private Map<Object, Object> dict(List<Object> kv, Map<Object, Object> into) throws IOException {
        if (kv.size() % 2 != 0) throw bad("odd number of items for a dict");
        for (int i = 0; i < kv.size(); i += 2) into.put(key(kv.get(i)), kv.get(i + 1));
        return into;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) { return (List<Object>) o; }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object o) { return (Map<Object, Object>) o; }

    private static String str(Object o) { return (String) o; }
}
