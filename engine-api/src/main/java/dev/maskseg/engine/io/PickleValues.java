package dev.maskseg.engine.io;

import java.math.BigInteger;
import java.util.AbstractList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * The values an {@link Unpickler} builds, and the walks over them that stay bounded whatever the pickle built: hashing a
 * dict key, describing a value in a message, and checking the finished graph's depth (a pickle can share one container
 * many times or make a list contain itself, so a naive {@code hashCode}, {@code toString} or recursive walk can take
 * exponential time or overflow the stack).
 */
final class PickleValues {
    private PickleValues() {}

    /** A Python tuple: immutable, hashable when its items are. */
    static final class Tuple extends AbstractList<Object> implements RandomAccess {
        private final Object[] items;

        Tuple(Object[] items) { this.items = items; }

        @Override public Object get(int i) { return items[i]; }

        @Override public int size() { return items.length; }
    }

    /**
     * Null when {@code key} can be a dict key: a scalar, string, bytes or global, or a tuple of such values whose tree has
     * at most {@code maxElements} nodes (so its hash and equality cost at most that); otherwise why not.
     */
    static String unhashable(Object key, int maxElements) {
        Deque<Object> todo = new ArrayDeque<>();
        todo.push(key);
        int seen = 0;
        while (!todo.isEmpty()) {
            Object o = todo.pop();
            if (++seen > maxElements) return "a tuple key of more than " + maxElements + " elements (counting shared ones each time)";
            if (o instanceof Tuple t) {
                for (Object item : t) todo.push(item);
            } else if (!scalar(o)) {
                return "a " + typeName(o) + " key (unhashable)";
            }
        }
        return null;
    }

    private static boolean scalar(Object o) {
        return o == null || o instanceof String || o instanceof Long || o instanceof BigInteger || o instanceof Double || o instanceof Boolean
                || o instanceof byte[] || o instanceof Unpickler.Global;
    }

    /** A short description for messages: scalars and short strings as they are, containers by type and size only. */
    static String describe(Object o) {
        if (o instanceof String s) return s.length() <= 80 ? "'" + s + "'" : "a string of " + s.length() + " characters";
        if (o instanceof BigInteger b) return b.bitLength() <= 128 ? b.toString() : "an integer of " + b.bitLength() + " bits";
        if (o == null || scalar(o) && !(o instanceof byte[])) return String.valueOf(o);
        if (o instanceof List<?> l) return "a " + typeName(o) + " of " + l.size() + " items";
        if (o instanceof Map<?, ?> m) return "a dict of " + m.size() + " items";
        if (o instanceof byte[] b) return "bytes of length " + b.length;
        return "a " + typeName(o);
    }

    static String typeName(Object o) {
        if (o == null) return "None";
        if (o instanceof Tuple) return "tuple";
        if (o instanceof List<?>) return "list";
        if (o instanceof Map<?, ?>) return "dict";
        return o.getClass().getSimpleName();
    }

    /**
     * Null when the containers reachable from {@code root} form no cycle and nest at most {@code maxDepth} deep;
     * otherwise what is wrong. Each container is visited once (iteratively, its height remembered), so the cost is
     * linear in what was built even when containers are shared.
     */
    static String checkGraph(Object root, int maxDepth) {
        if (!container(root)) return null;
        Map<Object, Integer> height = new IdentityHashMap<>(); // -1 while on the current path
        Deque<Frame> path = new ArrayDeque<>();
        height.put(root, -1);
        path.push(new Frame(root));
        while (!path.isEmpty()) {
            Frame top = path.peek();
            if (!top.children.hasNext()) {
                path.pop();
                height.put(top.container, top.tallestChild + 1);
                if (!path.isEmpty()) path.peek().tallestChild = Math.max(path.peek().tallestChild, top.tallestChild + 1);
                continue;
            }
            Object child = top.children.next();
            if (!container(child)) continue;
            Integer h = height.get(child);
            if (h != null && h < 0) return "a " + typeName(child) + " contains itself (a self-referential structure)";
            if (h == null && path.size() >= maxDepth || h != null && path.size() + h > maxDepth) {
                return "containers nest more than " + maxDepth + " deep";
            }
            if (h != null) {
                top.tallestChild = Math.max(top.tallestChild, h);
                continue;
            }
            height.put(child, -1);
            path.push(new Frame(child));
        }
        return null;
    }

    private static final class Frame {
        final Object container;
        final java.util.Iterator<Object> children;
        int tallestChild;

        Frame(Object container) {
            this.container = container;
            this.children = children(container).iterator();
        }
    }

    private static boolean container(Object o) { return o instanceof List<?> || o instanceof Map<?, ?>; }

    private static Iterable<Object> children(Object o) {
        if (o instanceof List<?> l) {
            @SuppressWarnings("unchecked") List<Object> items = (List<Object>) l;
            return items;
        }
        Map<?, ?> m = (Map<?, ?>) o;
        List<Object> kv = new java.util.ArrayList<>(2 * m.size());
        for (var e : m.entrySet()) {
            kv.add(e.getKey());
            kv.add(e.getValue());
        }
        return kv;
    }
}
