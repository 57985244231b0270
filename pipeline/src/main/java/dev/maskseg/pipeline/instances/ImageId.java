package dev.maskseg.pipeline.instances;

/**
 * A COCO image id: an integer (COCO) or a string (VOC stems, as MaskDistill's converter writes them). Ids of one
 * file must be of one kind, because pycocotools sorts them (numbers numerically, strings lexicographically) and a
 * mix cannot be sorted.
 */
public record ImageId(long number, String text) implements Comparable<ImageId> {
    public static ImageId of(long number) { return new ImageId(number, null); }

    public static ImageId of(String text) {
        if (text == null) throw new IllegalArgumentException("image id is null");
        return new ImageId(0, text);
    }

    public boolean isText() { return text != null; }

    /** The JSON value: a {@link Long} or a {@link String}. */
    public Object json() { return text != null ? text : (Object) number; }

    @Override
    public int compareTo(ImageId o) {
        if (isText() != o.isText()) throw new IllegalArgumentException("image ids mix numbers and strings (" + this + ", " + o + ")");
        return isText() ? text.compareTo(o.text) : Long.compare(number, o.number);
    }

    @Override
    public String toString() { return text != null ? '"' + text + '"' : Long.toString(number); }
}
