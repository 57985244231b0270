package dev.maskseg.pipeline.instances;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** JSON values of COCO files to records; each failure is an {@link IllegalArgumentException} naming the field. */
final class CocoJsonValues {
    private CocoJsonValues() {}

    static CocoDataset.Image image(JsonNode n) {
        requireObject(n);
        JsonNode file = n.get("file_name");
        return new CocoDataset.Image(imageId(n, "id"), optionalInt(n, "width"), optionalInt(n, "height"),
                file == null || file.isNull() ? null : file.asText());
    }

    static CocoDataset.Annotation annotation(JsonNode n) {
        requireObject(n);
        JsonNode area = n.get("area");
        if (area != null && !area.isNull() && !area.isNumber()) throw new IllegalArgumentException("'area' must be a number");
        JsonNode crowd = n.get("iscrowd");
        Integer iscrowd = null;
        if (crowd != null && !crowd.isNull()) {
            if (crowd.isBoolean()) iscrowd = crowd.asBoolean() ? 1 : 0;
            else if (crowd.isIntegralNumber()) iscrowd = crowd.asInt();
            else throw new IllegalArgumentException("'iscrowd' must be 0, 1 or a boolean");
        }
        return new CocoDataset.Annotation(integral(n, "id"), imageId(n, "image_id"), integral(n, "category_id"),
                segmentation(n.get("segmentation")), numbers(n.get("bbox"), "bbox"), area == null || area.isNull() ? Double.NaN : area.asDouble(), iscrowd);
    }

    static CocoDataset.Category category(JsonNode n) {
        requireObject(n);
        JsonNode name = n.get("name"), sup = n.get("supercategory");
        return new CocoDataset.Category(integral(n, "id"), name == null ? null : name.asText(), sup == null ? null : sup.asText());
    }

    static CocoResult result(JsonNode n) {
        requireObject(n);
        JsonNode score = n.get("score");
        if (score == null || !score.isNumber()) throw new IllegalArgumentException("'score' must be a number");
        return new CocoResult(imageId(n, "image_id"), integral(n, "category_id"), score.asDouble(), segmentation(n.get("segmentation")), numbers(n.get("bbox"), "bbox"));
    }

    static Segmentation segmentation(JsonNode s) {
        if (s == null || s.isNull()) return null;
        if (s.isArray()) {
            List<double[]> parts = new ArrayList<>(s.size());
            for (JsonNode part : s) {
                if (!part.isArray()) throw new IllegalArgumentException("'segmentation' as a list must hold polygons (lists of numbers)");
                parts.add(numbers(part, "segmentation polygon"));
            }
            return new Segmentation.PolygonList(parts);
        }
        if (s.isObject()) {
            JsonNode size = s.get("size"), counts = s.get("counts");
            if (size == null || !size.isArray() || size.size() != 2 || !size.get(0).canConvertToInt() || !size.get(1).canConvertToInt()) {
                throw new IllegalArgumentException("RLE 'size' must be [height, width]");
            }
            int h = size.get(0).asInt(), w = size.get(1).asInt();
            if (counts != null && counts.isTextual()) return new Segmentation.CompressedRle(h, w, counts.asText());
            if (counts != null && counts.isArray()) {
                long[] c = new long[counts.size()];
                for (int i = 0; i < c.length; i++) {
                    if (!counts.get(i).isIntegralNumber()) throw new IllegalArgumentException("RLE 'counts' must be integers");
                    c[i] = counts.get(i).asLong();
                }
                return new Segmentation.UncompressedRle(h, w, c);
            }
            throw new IllegalArgumentException("RLE 'counts' must be a string or a list of integers");
        }
        throw new IllegalArgumentException("'segmentation' must be polygons or an RLE object");
    }

    static ImageId imageId(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException("'" + field + "' is missing");
        if (v.isTextual()) return ImageId.of(v.asText());
        return ImageId.of(integralValue(v, field));
    }

    static long integral(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException("'" + field + "' is missing");
        return integralValue(v, field);
    }

    private static long integralValue(JsonNode v, String field) {
        if (v.isIntegralNumber() && v.canConvertToLong()) return v.asLong();
        if (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()) && Math.abs(v.asDouble()) < 9e15) return (long) v.asDouble();
        throw new IllegalArgumentException("'" + field + "' must be an integer, got " + v);
    }

    private static int optionalInt(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return -1;
        long x = integralValue(v, field);
        if (x < 0 || x > Integer.MAX_VALUE) throw new IllegalArgumentException("'" + field + "' must be a non-negative int, got " + x);
        return (int) x;
    }

    private static double[] numbers(JsonNode a, String what) {
        if (a == null || a.isNull()) return null;
        if (!a.isArray()) throw new IllegalArgumentException("'" + what + "' must be a list of numbers");
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            if (!a.get(i).isNumber()) throw new IllegalArgumentException("'" + what + "' must be a list of numbers, got " + a.get(i));
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

    private static void requireObject(JsonNode n) {
        if (!n.isObject()) throw new IllegalArgumentException("expected a JSON object, got " + n.getNodeType());
    }
}
