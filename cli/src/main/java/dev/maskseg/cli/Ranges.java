package dev.maskseg.cli;

import dev.maskseg.pipeline.data.SyntheticScenes;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The one place numeric options are checked: picocli converters that refuse a value outside its range, so a bad
 * number is a usage error (exit 2) naming the option, e.g. "Invalid value for option '--clusters': must be >= 1, got 0".
 * An option gets one with {@code converter = Ranges.AtLeastOne.class}.
 */
final class Ranges {
    private Ranges() {}

    private static int integer(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + s + "' is not an integer");
        }
    }

    private static double number(String s) {
        double v;
        try {
            v = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + s + "' is not a number");
        }
        if (!Double.isFinite(v)) throw new TypeConversionException("must be a finite number, got " + s);
        return v;
    }

    private static int atLeast(String s, int min) {
        int v = integer(s);
        if (v < min) throw new TypeConversionException("must be >= " + min + ", got " + v);
        return v;
    }

    static final class AtLeastOne implements ITypeConverter<Integer> {
        public Integer convert(String s) { return atLeast(s, 1); }
    }

    static final class AtLeastTwo implements ITypeConverter<Integer> {
        public Integer convert(String s) { return atLeast(s, 2); }
    }

    static final class AtLeastZero implements ITypeConverter<Integer> {
        public Integer convert(String s) { return atLeast(s, 0); }
    }

    /** An 8-bit label value, 0..255 (e.g. the ignore label). */
    static final class Label implements ITypeConverter<Integer> {
        public Integer convert(String s) {
            int v = integer(s);
            if (v < 0 || v > 255) throw new TypeConversionException("must be an 8-bit label in [0, 255], got " + v);
            return v;
        }
    }

    /** Classes of 8-bit label maps: 1..256. */
    static final class Classes implements ITypeConverter<Integer> {
        public Integer convert(String s) {
            int v = integer(s);
            if (v < 1 || v > 256) throw new TypeConversionException("must be in [1, 256] (labels are 8-bit), got " + v);
            return v;
        }
    }

    /** A generated image's side, {@link SyntheticScenes#MIN_SIZE} to {@link SyntheticScenes#MAX_SIZE} pixels. */
    static final class ImageSide implements ITypeConverter<Integer> {
        public Integer convert(String s) {
            int v = integer(s);
            if (v < SyntheticScenes.MIN_SIZE || v > SyntheticScenes.MAX_SIZE) {
                throw new TypeConversionException("must be in [" + SyntheticScenes.MIN_SIZE + ", " + SyntheticScenes.MAX_SIZE + "] pixels, got " + v);
            }
            return v;
        }
    }

    /** A side to resize to: 0 keeps the size, else 1 to {@link SyntheticScenes#MAX_SIZE} pixels (what the image decoder reads). */
    static final class OptionalSide implements ITypeConverter<Integer> {
        public Integer convert(String s) {
            int v = integer(s);
            if (v < 0 || v > SyntheticScenes.MAX_SIZE) throw new TypeConversionException("must be 0 (keep) or a side of at most " + SyntheticScenes.MAX_SIZE + " pixels, got " + v);
            return v;
        }
    }

    static final class Positive implements ITypeConverter<Double> {
        public Double convert(String s) {
            double v = number(s);
            if (v <= 0) throw new TypeConversionException("must be > 0, got " + s);
            return v;
        }
    }
}
