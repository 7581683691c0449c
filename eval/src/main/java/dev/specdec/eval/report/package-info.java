/**
 * The files of an evaluation report: complete JSON, per-step JSON Lines, CSV, a Markdown summary
 * and an HTML page with charts drawn by JFreeChart (PNG files beside it).
 */
package dev.specdec.eval.report;
