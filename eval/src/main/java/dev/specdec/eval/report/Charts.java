package dev.specdec.eval.report;

import dev.specdec.eval.BudgetDistribution;
import dev.specdec.eval.ConfidenceInterval;
import dev.specdec.eval.ConfigEval;
import dev.specdec.eval.EvalMetrics;
import dev.specdec.eval.EvalReport;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.CategoryItemRenderer;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;

/** The report's charts, drawn headless with JFreeChart and saved as PNG. */
final class Charts {
  static final String ACCEPTANCE_BY_DEPTH = "acceptance-by-depth.png";
  static final String ACCEPTED_LENGTHS = "accepted-length-histogram.png";
  static final String SPEEDUP = "speedup.png";
  static final String TAU_BY_CATEGORY = "tau-by-category.png";
  static final String BUDGETS = "budget-distribution.png";

  private static final int WIDTH = 800;
  private static final int HEIGHT = 450;

  private Charts() {}

  /** Writes every chart into {@code dir}; returns the files in the order written. */
  static List<Path> write(EvalReport report, Path dir) throws IOException {
    // Charts are drawn off screen; without this AWT may look for a display.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    return List.of(
        save(acceptanceByDepth(report), dir.resolve(ACCEPTANCE_BY_DEPTH)),
        save(acceptedLengths(report), dir.resolve(ACCEPTED_LENGTHS)),
        save(budgets(report), dir.resolve(BUDGETS)),
        save(speedup(report), dir.resolve(SPEEDUP)),
        save(
            tauByCategory(report),
            dir.resolve(TAU_BY_CATEGORY),
            Math.max(HEIGHT, 120 + 22 * categoryBars(report))));
  }

  private static JFreeChart acceptanceByDepth(EvalReport report) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (ConfigEval c : report.configs()) {
      List<Double> byPosition = c.overall().acceptanceByPosition();
      for (int d = 0; d < byPosition.size(); d++) {
        data.addValue(byPosition.get(d), c.config().name(), Integer.toString(d + 1));
      }
    }
    JFreeChart chart =
        ChartFactory.createLineChart(
            "Acceptance by depth: drafting steps that accept >= d drafts",
            "depth d",
            "acceptance",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    LineAndShapeRenderer renderer = (LineAndShapeRenderer) chart.getCategoryPlot().getRenderer();
    renderer.setDefaultShapesVisible(true);
    renderer.setDefaultStroke(new BasicStroke(2f));
    renderer.setAutoPopulateSeriesStroke(false);
    ((NumberAxis) chart.getCategoryPlot().getRangeAxis()).setRange(0, 1);
    return style(chart);
  }

  private static JFreeChart acceptedLengths(EvalReport report) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (ConfigEval c : report.configs()) {
      EvalMetrics m = c.overall();
      List<Long> histogram = m.acceptedLengthHistogram();
      for (int a = 0; a < histogram.size(); a++) {
        data.addValue(
            (double) histogram.get(a) / m.draftingSteps(), c.config().name(), Integer.toString(a));
      }
    }
    return style(
        ChartFactory.createBarChart(
            "Accepted drafts per drafting step",
            "accepted drafts",
            "share of drafting steps",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false));
  }

  /** The share of steps that verified each number of drafts (0 = plain step), per config. */
  private static JFreeChart budgets(EvalReport report) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    int widest = 0;
    for (ConfigEval c : report.configs()) {
      widest = Math.max(widest, BudgetDistribution.of(c.runs()).steps().size());
    }
    for (ConfigEval c : report.configs()) {
      BudgetDistribution d = BudgetDistribution.of(c.runs());
      long total = d.total();
      for (int b = 0; b < widest; b++) {
        long n = b < d.steps().size() ? d.steps().get(b) : 0;
        data.addValue(total == 0 ? 0 : (double) n / total, c.config().name(), Integer.toString(b));
      }
    }
    return style(
        ChartFactory.createBarChart(
            "Budget per step: drafts verified (0 = plain step)",
            "drafts verified",
            "share of steps",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false));
  }

  /** Observed speedup with its 95 % t-interval as whiskers, and the predicted one beside it. */
  private static JFreeChart speedup(EvalReport report) {
    // The statistical renderer draws mean +- the "standard deviation" given: the interval's
    // half-width here (a t-interval is symmetric about the mean).
    DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
    for (ConfigEval c : report.configs()) {
      EvalMetrics m = c.overall();
      ConfidenceInterval ci = m.observedSpeedupCi();
      Double half = ci.isKnown() ? (ci.upper() - ci.lower()) / 2 : null;
      data.add(finite(m.observedSpeedup()), half, "observed (95% CI)", c.config().name());
      data.add(
          finite(m.predictedSpeedup()),
          null,
          "predicted (step records x cost model)",
          c.config().name());
    }
    JFreeChart chart =
        ChartFactory.createBarChart(
            "Speedup over plain decoding, by configuration",
            "configuration",
            "speedup (x plain decoding)",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    StatisticalBarRenderer renderer = new StatisticalBarRenderer();
    renderer.setErrorIndicatorPaint(Color.BLACK);
    chart.getCategoryPlot().setRenderer(renderer);
    return style(chart);
  }

  private static JFreeChart tauByCategory(EvalReport report) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (ConfigEval c : report.configs()) {
      c.byCategory()
          .forEach(
              (category, m) -> data.addValue(m.meanAcceptedLength(), c.config().name(), category));
    }
    return style(
        ChartFactory.createBarChart(
            "Mean accepted length tau by category",
            "category",
            "tau",
            data,
            PlotOrientation.HORIZONTAL,
            true,
            false,
            false));
  }

  /** A missing value (no data) as a missing bar rather than a NaN that breaks the axis range. */
  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  private static JFreeChart style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(new Color(0xF4, 0xF4, 0xF4));
    plot.setRangeGridlinePaint(Color.GRAY);
    CategoryItemRenderer renderer = plot.getRenderer();
    for (int i = 0; i < PALETTE.length; i++) {
      renderer.setSeriesPaint(i, PALETTE[i]);
    }
    if (renderer instanceof BarRenderer bars) {
      bars.setBarPainter(new StandardBarPainter()); // flat bars, no gradient or shadow
      bars.setShadowVisible(false);
    }
    return chart;
  }

  // Distinguishable on screen and in print (Okabe-Ito); series past the last reuse JFreeChart's.
  private static final Color[] PALETTE = {
    new Color(0x0072B2),
    new Color(0xE69F00),
    new Color(0x009E73),
    new Color(0xCC79A7),
    new Color(0x56B4E9),
    new Color(0xD55E00),
    new Color(0xF0E442),
    Color.BLACK
  };

  private static Path save(JFreeChart chart, Path file) throws IOException {
    return save(chart, file, HEIGHT);
  }

  private static Path save(JFreeChart chart, Path file, int height) throws IOException {
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, height);
    return file;
  }

  /** Bars of the category chart: categories times configs, to size it so labels fit. */
  private static int categoryBars(EvalReport report) {
    return report.configs().stream().mapToInt(c -> c.byCategory().size()).sum();
  }
}
