import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Horizontal bar charts as a PNG, one panel per measure, for the benchmark pages (docs/performance.md). Needs only
 * the JDK (headless AWT and a system font), so the benchmark scripts add no plotting library:
 *
 * <pre>java distribution/bench/BarChart.java OUT.png "Title" &lt; rows.tsv</pre>
 *
 * Each input line is {@code panel<TAB>bar<TAB>value<TAB>text}: bars of a panel share its scale (0 to the
 * largest value), the first bar of a panel is drawn as the reference (QEMU), and {@code text} is written after the bar.
 */
public final class BarChart {
    private static final int WIDTH = 900;
    private static final int LABEL_WIDTH = 190;
    private static final int TEXT_WIDTH = 200;
    private static final int BAR_HEIGHT = 22;
    private static final int BAR_GAP = 8;
    private static final int PANEL_TITLE = 30;
    private static final int PANEL_GAP = 18;
    private static final int MARGIN = 16;
    private static final Color REFERENCE = new Color(0x8c, 0x8c, 0x8c);
    private static final Color BAR = new Color(0x2f, 0x6d, 0xb5);

    record Bar(String label, double value, String text) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java BarChart.java OUT.png TITLE < rows.tsv"
                    + " (lines: panel<TAB>bar<TAB>value<TAB>text)");
            System.exit(2);
        }
        Map<String, List<Bar>> panels = read();
        if (panels.isEmpty()) {
            System.err.println("BarChart: no rows on stdin; each line is panel<TAB>bar<TAB>value<TAB>text");
            System.exit(2);
        }
        ImageIO.write(draw(args[1], panels), "png", Path.of(args[0]).toFile());
    }

    private static Map<String, List<Bar>> read() throws IOException {
        Map<String, List<Bar>> panels = new LinkedHashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int lineNumber = 0;
        for (String line; (line = in.readLine()) != null; ) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 4) {
                throw new IllegalArgumentException("line " + lineNumber + ": want 4 tab-separated fields, got "
                        + f.length + ": " + line);
            }
            panels.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new Bar(f[1], Double.parseDouble(f[2]), f[3]));
        }
        return panels;
    }

    private static BufferedImage draw(String title, Map<String, List<Bar>> panels) {
        int height = MARGIN * 2 + PANEL_TITLE;
        for (List<Bar> bars : panels.values()) {
            height += PANEL_TITLE + bars.size() * (BAR_HEIGHT + BAR_GAP) + PANEL_GAP;
        }
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        int y = MARGIN + 20;
        g.drawString(title, MARGIN, y);
        y += PANEL_TITLE - 20;
        int barSpace = WIDTH - MARGIN * 2 - LABEL_WIDTH - TEXT_WIDTH;
        for (Map.Entry<String, List<Bar>> panel : panels.entrySet()) {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            y += PANEL_TITLE;
            g.drawString(panel.getKey(), MARGIN, y - 10);
            double max = panel.getValue().stream().mapToDouble(Bar::value).max().orElse(1);
            boolean first = true;
            for (Bar bar : panel.getValue()) {
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
                FontMetrics metrics = g.getFontMetrics();
                int baseline = y + (BAR_HEIGHT + metrics.getAscent()) / 2 - 2;
                g.setColor(Color.BLACK);
                g.drawString(fit(bar.label(), metrics, LABEL_WIDTH - 8), MARGIN, baseline);
                int length = max > 0 ? (int) Math.round(bar.value() / max * barSpace) : 0;
                g.setColor(first ? REFERENCE : BAR);
                g.fillRect(MARGIN + LABEL_WIDTH, y, Math.max(1, length), BAR_HEIGHT);
                g.setColor(Color.BLACK);
                g.drawString(bar.text(), MARGIN + LABEL_WIDTH + length + 6, baseline);
                y += BAR_HEIGHT + BAR_GAP;
                first = false;
            }
            g.setColor(Color.LIGHT_GRAY);
            g.setStroke(new BasicStroke(1));
            g.drawLine(MARGIN + LABEL_WIDTH, y - panel.getValue().size() * (BAR_HEIGHT + BAR_GAP),
                    MARGIN + LABEL_WIDTH, y - BAR_GAP);
            y += PANEL_GAP;
        }
        g.dispose();
        return image;
    }

    /** Shortens a label with an ellipsis so it never runs into its bar. */
    private static String fit(String label, FontMetrics metrics, int width) {
        if (metrics.stringWidth(label) <= width) {
            return label;
        }
        String shortened = label;
        while (shortened.length() > 1 && metrics.stringWidth(shortened + "…") > width) {
            shortened = shortened.substring(0, shortened.length() - 1);
        }
        return shortened + "…";
    }
}
