package dev.preempt.agent.transform;

import java.util.ArrayList;
import java.util.List;

/** Interface and virtual call shapes the receiver guards rewrite; each returns a value compared before and after. */
public class ReceiverShapes {
    /** An app interface: its call sites get a receiver check by default. */
    public interface Shape {
        double area(int scale, long offset, double factor);

        default String label() {
            return getClass().getSimpleName();
        }
    }

    public static final class Square implements Shape {
        @Override
        public double area(int scale, long offset, double factor) {
            return scale * scale * factor + offset;
        }
    }

    public static final class Circle implements Shape {
        @Override
        public double area(int scale, long offset, double factor) {
            return 3 * scale * scale * factor - offset;
        }
    }

    /** An app class called virtually: checked only when cfi.types names it. */
    public static class Counter {
        private int n;

        public int next(long by) {
            return n += (int) by;
        }
    }

    /** Two sites on Shape (one bimorphic, one with no arguments), JDK interface calls (List) and a virtual call. */
    public static String dispatch() {
        List<Shape> shapes = new ArrayList<>();
        shapes.add(new Square());
        shapes.add(new Circle());
        shapes.add(new Square());
        double total = 0;
        StringBuilder labels = new StringBuilder();
        Counter c = new Counter();
        for (int i = 0; i < shapes.size(); i++) {
            Shape s = shapes.get(i);
            total += s.area(i + 1, 2L, 0.5);
            labels.append(s.label()).append(c.next(i + 1)).append(' ');
        }
        Shape none = null;
        try {
            none.area(1, 1, 1);
        } catch (NullPointerException e) {
            labels.append("npe");
        }
        return total + " " + labels;
    }
}
