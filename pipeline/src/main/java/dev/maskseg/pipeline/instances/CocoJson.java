package dev.maskseg.pipeline.instances;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.engine.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * COCO instances files (ground truth) and COCO results files (a list of detections), read element by element so
 * that large files (COCO train2014) do not need a tree of the whole document; written atomically. A malformed
 * file gives one {@link IOException} naming the file, the element and what is wrong.
 */
public final class CocoJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private CocoJson() {}

    public static CocoDataset readDataset(Path file) throws IOException {
        List<CocoDataset.Image> images = new ArrayList<>();
        List<CocoDataset.Annotation> anns = new ArrayList<>();
        List<CocoDataset.Category> cats = new ArrayList<>();
        boolean sawImages = false;
        try (JsonParser p = MAPPER.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException(file + ": a COCO instances file is a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "images", "annotations", "categories" -> {
                        if (t != JsonToken.START_ARRAY) throw new IOException(file + ": '" + field + "' must be a list");
                        int i = 0;
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            JsonNode n = MAPPER.readTree(p);
                            String where = file + ": " + field + "[" + i++ + "]";
                            try {
                                switch (field) {
                                    case "images" -> images.add(CocoJsonValues.image(n));
                                    case "annotations" -> anns.add(CocoJsonValues.annotation(n));
                                    default -> cats.add(CocoJsonValues.category(n));
                                }
                            } catch (IllegalArgumentException e) {
                                throw new IOException(where + ": " + e.getMessage(), e);
                            }
                        }
                        sawImages |= field.equals("images");
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (!sawImages) throw new IOException(file + ": a COCO instances file needs an 'images' list");
        try {
            return new CocoDataset(images, anns, cats);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** A COCO results file: a JSON list of {@code {image_id, category_id, score, segmentation and/or bbox}}. */
    public static List<CocoResult> readResults(Path file) throws IOException {
        List<CocoResult> out = new ArrayList<>();
        try (JsonParser p = MAPPER.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_ARRAY) throw new IOException(file + ": a COCO results file is a JSON list of detections");
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                JsonNode n = MAPPER.readTree(p);
                try {
                    out.add(CocoJsonValues.result(n));
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ": result [" + i + "]: " + e.getMessage(), e);
                }
                i++;
            }
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        return out;
    }

    public static void writeDataset(Path file, CocoDataset data) throws IOException {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
                g.writeStartObject();
                g.writeArrayFieldStart("images");
                for (CocoDataset.Image im : data.images()) {
                    g.writeStartObject();
                    writeId(g, "id", im.id());
                    if (im.width() >= 0) g.writeNumberField("width", im.width());
                    if (im.height() >= 0) g.writeNumberField("height", im.height());
                    if (im.fileName() != null) g.writeStringField("file_name", im.fileName());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("annotations");
                for (CocoDataset.Annotation a : data.annotations()) {
                    g.writeStartObject();
                    g.writeNumberField("id", a.id());
                    writeId(g, "image_id", a.imageId());
                    g.writeNumberField("category_id", a.categoryId());
                    if (a.segmentation() != null) {
                        g.writeFieldName("segmentation");
                        writeSegmentation(g, a.segmentation());
                    }
                    if (!Double.isNaN(a.area())) writeNumber(g, "area", a.area());
                    if (a.bbox() != null) writeNumbers(g, "bbox", a.bbox());
                    if (a.iscrowd() != null) g.writeNumberField("iscrowd", a.iscrowd());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("categories");
                for (CocoDataset.Category c : data.categories()) {
                    g.writeStartObject();
                    g.writeNumberField("id", c.id());
                    if (c.name() != null) g.writeStringField("name", c.name());
                    if (c.supercategory() != null) g.writeStringField("supercategory", c.supercategory());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
        });
    }

    /** A results file (detectron2's layout: image_id, category_id, score, segmentation, bbox), in the given order. */
    public static void writeResults(Path file, List<CocoResult> results) throws IOException {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
                g.writeStartArray();
                for (CocoResult r : results) {
                    g.writeStartObject();
                    writeId(g, "image_id", r.imageId());
                    g.writeNumberField("category_id", r.categoryId());
                    g.writeNumberField("score", r.score());
                    if (r.segmentation() != null) {
                        g.writeFieldName("segmentation");
                        writeSegmentation(g, r.segmentation());
                    }
                    if (r.bbox() != null) writeNumbers(g, "bbox", r.bbox());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
        });
    }

    private static void writeSegmentation(JsonGenerator g, Segmentation s) throws IOException {
        switch (s) {
            case Segmentation.CompressedRle r -> {
                g.writeStartObject();
                g.writeArrayFieldStart("size");
                g.writeNumber(r.height());
                g.writeNumber(r.width());
                g.writeEndArray();
                g.writeStringField("counts", r.counts());
                g.writeEndObject();
            }
            case Segmentation.UncompressedRle r -> {
                g.writeStartObject();
                g.writeArrayFieldStart("size");
                g.writeNumber(r.height());
                g.writeNumber(r.width());
                g.writeEndArray();
                g.writeArrayFieldStart("counts");
                for (long c : r.counts()) g.writeNumber(c);
                g.writeEndArray();
                g.writeEndObject();
            }
            case Segmentation.PolygonList pl -> {
                g.writeStartArray();
                for (double[] part : pl.parts()) {
                    g.writeStartArray();
                    for (double v : part) writeNumber(g, v);
                    g.writeEndArray();
                }
                g.writeEndArray();
            }
        }
    }

    private static void writeId(JsonGenerator g, String field, ImageId id) throws IOException {
        if (id.isText()) g.writeStringField(field, id.text());
        else g.writeNumberField(field, id.number());
    }

    private static void writeNumbers(JsonGenerator g, String field, double[] values) throws IOException {
        g.writeArrayFieldStart(field);
        for (double v : values) writeNumber(g, v);
        g.writeEndArray();
    }

    private static void writeNumber(JsonGenerator g, String field, double v) throws IOException {
        g.writeFieldName(field);
        writeNumber(g, v);
    }

    /** Integral values as integers (areas and boxes of masks), others as doubles. */
    private static void writeNumber(JsonGenerator g, double v) throws IOException {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) g.writeNumber((long) v);
        else g.writeNumber(v);
    }
}
