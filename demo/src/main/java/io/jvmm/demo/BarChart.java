package io.jvmm.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** A grouped bar chart as PNG, drawn with Java2D (headless): enough for benchmark reports. */
final class BarChart {
    private static final Color[] SERIES = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c)};

    private BarChart() {
    }

    /** {@code values.get(g)[s]}: group g (a variant), series s (a measure). */
    static void write(Path file, String title, List<String> groups, String[] series, List<double[]> values)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        int w = 900;
        int h = 480;
        int left = 70;
        int right = 20;
        int top = 50;
        int bottom = 110;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, left, 28);
        double max = 0;
        for (double[] v : values) {
            for (double x : v) {
                if (!Double.isNaN(x)) {
                    max = Math.max(max, x);
                }
            }
        }
        max = max <= 0 ? 1 : max * 1.15;
        int plotH = h - top - bottom;
        int plotW = w - left - right;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setStroke(new BasicStroke(1));
        for (int i = 0; i <= 5; i++) {
            int y = top + plotH - plotH * i / 5;
            g.setColor(new Color(0xdddddd));
            g.drawLine(left, y, left + plotW, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.0f", max * i / 5), 8, y + 4);
        }
        int groupW = plotW / Math.max(1, groups.size());
        int barW = Math.max(8, (groupW - 40) / Math.max(1, series.length));
        for (int gi = 0; gi < groups.size(); gi++) {
            int x0 = left + gi * groupW + 20;
            for (int s = 0; s < series.length; s++) {
                double v = values.get(gi)[s];
                if (Double.isNaN(v)) {
                    continue;
                }
                int bh = (int) Math.round(plotH * v / max);
                g.setColor(SERIES[s % SERIES.length]);
                g.fillRect(x0 + s * barW, top + plotH - bh, barW - 4, bh);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.0f", v), x0 + s * barW, top + plotH - bh - 4);
            }
            g.setColor(Color.BLACK);
            String label = groups.get(gi);
            drawWrapped(g, label, x0, top + plotH + 16, groupW - 24);
        }
        int ly = h - 22;
        for (int s = 0; s < series.length; s++) {
            g.setColor(SERIES[s % SERIES.length]);
            g.fillRect(left + s * 260, ly - 10, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(series[s], left + s * 260 + 18, ly);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static void drawWrapped(Graphics2D g, String text, int x, int y, int width) {
        StringBuilder line = new StringBuilder();
        int lineY = y;
        for (String word : text.split(" ")) {
            if (g.getFontMetrics().stringWidth(line + " " + word) > width && line.length() > 0) {
                g.drawString(line.toString(), x, lineY);
                lineY += 14;
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        g.drawString(line.toString(), x, lineY);
    }
}
