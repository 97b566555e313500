package dev.preempt.agent.transform;

import java.util.Random;

/**
 * Writes random Java methods made of loop nests in every shape the poll rewrite knows: {@code for},
 * {@code while}, {@code do/while} and enhanced {@code for}; up and down, strides 1-3 and large; {@code int}
 * and {@code long} indices; bounds from parameters, fields, array lengths, constants near
 * {@code Integer.MAX_VALUE} and sums that overflow; bodies that break, continue, return, throw mid-loop
 * (division by zero, index out of bounds), write the array they read, call a static method or a lambda, and
 * move their own bound. Every method is {@code static long mK(int[] a, int n, int m, long w)} and counts its
 * iterations in a method-wide guard that throws past a limit, so every generated method ends.
 */
final class LoopNestGenerator {
    private final Random r;
    private int vars;

    LoopNestGenerator(long seed) {
        this.r = new Random(seed);
    }

    /** A class named {@code name} with {@code count} methods {@code m0..m(count-1)}. */
    String classSource(String name, int count) {
        StringBuilder sb = new StringBuilder();
        sb.append("public class ").append(name).append(" {\n");
        sb.append("  static int field = 37;\n  int[] arr;\n");
        sb.append("  static final java.util.function.IntUnaryOperator F = x -> x * 3 + 1;\n");
        sb.append("  static int helper(int x) { return x ^ (x >>> 2); }\n");
        for (int k = 0; k < count; k++) {
            vars = 0;
            sb.append("  public static long m").append(k).append("(int[] a, int n, int m, long w) {\n");
            sb.append("    long s = 0; int g = 0; int lim = n; int k = 0;\n");
            sb.append(loop(2, "    "));
            if (r.nextBoolean()) {
                sb.append(loop(2, "    ")); // one loop's exit is then the next one's head (as javac writes two whiles)
            }
            sb.append("    return s * 31 + g;\n  }\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    private String pick(String... options) {
        return options[r.nextInt(options.length)];
    }

    private String guard() {
        return "if (++g > " + (2_000 + r.nextInt(18_000)) + ") throw new IllegalStateException(\"guard \" + s);";
    }

    private String intBound() {
        return pick("n", "m", "a.length", "lim", "field", "0", "-1", "7", "4097", "Integer.MAX_VALUE",
                "Integer.MAX_VALUE - 2", "Integer.MIN_VALUE + 1", "n + m", "a.length - 1", "(int) w");
    }

    private String intStart() {
        return pick("0", "1", "n", "m", "-5", "a.length - 1", "Integer.MAX_VALUE - 3", "Integer.MIN_VALUE", "n - 1");
    }

    private String loop(int depth, String ind) {
        String i = "i" + (vars++);
        int shape = r.nextInt(9);
        boolean up = r.nextBoolean();
        String step = pick("1", "1", "1", "2", "3", "100000");
        String cmp = up ? pick("<", "<=") : pick(">", ">=");
        String upd = up ? i + " += " + step : i + " -= " + step;
        String bound = intBound();
        boolean boundFirst = r.nextInt(5) == 0;
        String test = boundFirst ? bound + " " + flip(cmp) + " " + i : i + " " + cmp + " " + bound;
        String body = body(depth, ind + "  ", i, shape == 3 || shape == 4);
        switch (shape) {
            case 0, 1:
                return ind + "for (int " + i + " = " + intStart() + "; " + test + "; " + upd + ") {\n" + body + ind + "}\n";
            case 2: {
                String idx = "j" + i;
                return ind + "for (long " + idx + " = " + pick("0L", "w", "(long) n", "Long.MAX_VALUE - 5") + "; " + idx + " "
                        + cmp + " " + pick("w", "(long) n", "100L", "Long.MAX_VALUE", "Long.MIN_VALUE + 2") + "; " + idx
                        + (up ? " += " : " -= ") + step + ") {\n" + ind + "  int " + i + " = (int) " + idx + ";\n" + body + ind + "}\n";
            }
            case 3:
                return ind + "{ int " + i + " = " + intStart() + ";\n" + ind + "while (" + test + ") {\n" + ind + "  " + upd + ";\n"
                        + body + ind + "} }\n";
            case 4:
                return ind + "{ int " + i + " = " + intStart() + ";\n" + ind + "do {\n" + ind + "  " + upd + ";\n" + body + ind
                        + "} while (" + test + "); }\n";
            case 5:
                return ind + "for (int " + i + " : a) {\n" + body + ind + "}\n";
            case 6:
                return ind + "{ int " + i + " = " + intStart() + ";\n" + ind + "while (" + test + ") {\n" + body + ind + "  " + upd
                        + ";\n" + ind + "} }\n";
            case 8:
                // no initialiser: the head follows whatever came before (another loop's exit)
                return ind + "while (" + (boundFirst ? bound + " " + flip(cmp) + " k" : "k " + cmp + " " + bound) + ") {\n"
                        + body(depth, ind + "  ", "k", false) + ind + "  " + (up ? "k += " : "k -= ") + step + ";\n" + ind + "}\n";
            default:
                return ind + "for (int " + i + " = " + intStart() + "; " + i + " != " + bound + "; " + i + "++) {\n" + body + ind + "}\n";
        }
    }

    private static String flip(String cmp) {
        return switch (cmp) {
            case "<" -> ">";
            case "<=" -> ">=";
            case ">" -> "<";
            default -> "<=";
        };
    }

    /** One to three statements; {@code stepFirst}: the index moved before the body (continue is safe). */
    private String body(int depth, String ind, String i, boolean stepFirst) {
        StringBuilder sb = new StringBuilder(ind + guard() + "\n");
        int statements = 1 + r.nextInt(3);
        for (int k = 0; k < statements; k++) {
            int kind = r.nextInt(depth > 1 ? 14 : 13);
            sb.append(ind).append(switch (kind) {
                case 0, 1 -> "s += " + i + ";";
                case 2 -> "s += a[" + i + "];";
                case 3 -> "s += a[(" + i + " & 0x7fffffff) % Math.max(1, a.length)];";
                case 4 -> "if (a.length > 0) a[(" + i + " & 0x7fffffff) % a.length] += (int) s;";
                case 5 -> "s += 1000 / (" + i + " - " + pick("3", "n", "100", "m") + ");";
                case 6 -> "if (s > " + pick("100", "100000", "n") + ") break;";
                case 7 -> "if (" + i + " == " + pick("5", "n", "m - 1") + ") return s;";
                case 8 -> stepFirst || r.nextBoolean() ? "if ((s & 3) == 1) { s++; continue; }" : "s ^= s >>> 3;";
                case 9 -> "s += helper(" + i + ");";
                case 10 -> "s += F.applyAsInt(" + i + ");";
                case 11 -> "if (" + i + " == 9) lim = " + pick("3", "n / 2", "100") + ";";
                case 12 -> "s = s * 7 + (" + i + " >> 1);";
                default -> "\n" + loop(depth - 1, ind);
            }).append('\n');
        }
        return sb.toString();
    }
}
