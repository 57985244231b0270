package dev.maskseg.pipeline.maskdistill;

import dev.maskseg.pipeline.data.LabelMaps;
import dev.maskseg.pipeline.instances.VocInstances;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ground-truth boxes that name MaskDistill's clusters (docs/methods.md §3.3 step 6): VOC's {@code Annotations/<id>.xml}
 * as {@code get_bbx_info_voc} reads them (every object, difficult ones included; xmin and ymin minus 1, so a box is
 * [x0, y0, x1, y1) in pixels; class = the name's index in the 20 VOC classes), or, without annotations, the objects of
 * {@code SegmentationObject/} with their majority {@code SegmentationClass} label ({@link VocInstances}, as
 * {@code convert_voc.py}) and the extent of their pixels. A mask's target is the class of the box with the highest IoU
 * with the mask's own box (the first on ties, as torch.argmax).
 */
public final class GroundTruthBoxes {
    /** [x0, y0, x1, y1) and the class (0-based: VOC aeroplane = 0). */
    public record Box(double x0, double y0, double x1, double y1, int cls) {}

    private final Path root;
    private final boolean xml;
    private final int classes;

    private GroundTruthBoxes(Path root, boolean xml, int classes) {
        this.root = root;
        this.xml = xml;
        this.classes = classes;
    }

    /** The boxes of a VOC-layout folder with {@code classes} object classes; an error when it has neither source. */
    public static GroundTruthBoxes open(Path root, int classes) throws IOException {
        if (Files.isDirectory(root.resolve("Annotations"))) return new GroundTruthBoxes(root, true, classes);
        if (Files.isDirectory(root.resolve("SegmentationObject"))) return new GroundTruthBoxes(root, false, classes);
        throw new IOException(root + ": naming clusters by ground-truth boxes needs Annotations/<id>.xml or SegmentationObject/<id>.png");
    }

    /** Where the boxes come from, for clusters.json. */
    public String source() { return xml ? "Annotations" : "SegmentationObject"; }

    public List<Box> boxes(String id) throws IOException { return xml ? fromXml(root.resolve("Annotations/" + id + ".xml")) : fromObjects(id); }

    /** The class of the box with the highest IoU with {@code box} ([x0, y0, x1, y1)), or -1 when there is none. */
    public static int target(int[] box, List<Box> gt) {
        int best = -1;
        double bestIou = Double.NEGATIVE_INFINITY;
        for (Box g : gt) {
            double iw = Math.max(0, Math.min(box[2], g.x1()) - Math.max(box[0], g.x0())), ih = Math.max(0, Math.min(box[3], g.y1()) - Math.max(box[1], g.y0()));
            double inter = iw * ih, union = (double) (box[2] - box[0]) * (box[3] - box[1]) + (g.x1() - g.x0()) * (g.y1() - g.y0()) - inter;
            double iou = union > 0 ? inter / union : 0;
            if (iou > bestIou) {
                bestIou = iou;
                best = g.cls();
            }
        }
        return best;
    }

    private List<Box> fromXml(Path file) throws IOException {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder b = f.newDocumentBuilder();
            doc = b.parse(file.toFile());
        } catch (ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IOException(file + ": not a VOC annotation (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new IOException(file + ": unreadable annotation (" + e.getMessage() + ")", e);
        }
        List<Box> out = new ArrayList<>();
        NodeList objects = doc.getElementsByTagName("object");
        for (int i = 0; i < objects.getLength(); i++) {
            Element o = (Element) objects.item(i);
            String name = text(o, "name", file);
            int cls = VocInstances.VOC_CLASSES.indexOf(name);
            if (cls < 0 || cls >= classes) throw new IOException(file + ": object class '" + name + "' is not one of the " + classes + " VOC classes in use");
            Element box = (Element) o.getElementsByTagName("bndbox").item(0);
            if (box == null) throw new IOException(file + ": object " + name + " has no bndbox");
            out.add(new Box(number(box, "xmin", file) - 1, number(box, "ymin", file) - 1, number(box, "xmax", file), number(box, "ymax", file), cls));
        }
        return out;
    }

    private List<Box> fromObjects(String id) throws IOException {
        LabelMaps.LabelMap obj = LabelMaps.read(root.resolve("SegmentationObject/" + id + ".png"));
        LabelMaps.LabelMap cls = LabelMaps.read(root.resolve("SegmentationClass/" + id + ".png"));
        if (cls.width() != obj.width() || cls.height() != obj.height()) {
            throw new IOException(id + ": SegmentationObject is " + obj.width() + "x" + obj.height() + " but SegmentationClass is " + cls.width() + "x" + cls.height());
        }
        List<Box> out = new ArrayList<>();
        for (VocInstances.ObjectMask m : VocInstances.objects(obj.labels(), cls.labels(), obj.width(), obj.height(), classes, new ArrayList<>())) {
            double[] b = m.mask().toBbox(); // x, y, w, h
            out.add(new Box(b[0], b[1], b[0] + b[2], b[1] + b[3], m.category() - 1));
        }
        return out;
    }

    private static String text(Element e, String tag, Path file) throws IOException {
        NodeList n = e.getElementsByTagName(tag);
        if (n.getLength() == 0) throw new IOException(file + ": an object without <" + tag + ">");
        return n.item(0).getTextContent().trim();
    }

    private static double number(Element e, String tag, Path file) throws IOException {
        String t = text(e, tag, file);
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException ex) {
            throw new IOException(file + ": <" + tag + "> is not a number: '" + t + "'");
        }
    }
}
