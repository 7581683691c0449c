package dev.specdec.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AcceptanceCalibrationTest {

  @Test
  void withoutObservationsTheConfidenceIsTakenAtItsWord() {
    AcceptanceCalibration calibration = new AcceptanceCalibration();
    assertEquals(0.35, calibration.conditional(1, 0.35f), 1e-6);
    assertEquals(0.9, calibration.conditional(7, 0.9f), 1e-6);
  }

  @Test
  void learnsEachDepthsAcceptanceFromWhatTheTargetAccepted() {
    AcceptanceCalibration calibration = new AcceptanceCalibration();
    SplittableRandom random = new SplittableRandom(1);
    for (int step = 0; step < 400; step++) {
      calibration.decay();
      calibration.observe(2, 0.9f, random.nextDouble() < 0.3);
    }
    assertEquals(0.3, calibration.conditional(2, 0.9f), 0.08);
    assertEquals(0.9, calibration.conditional(1, 0.9f), 1e-6, "other depths keep their prior");
  }

  @Test
  void bucketsSeparateConfidentFromUnsureDrafts() {
    AcceptanceCalibration calibration = new AcceptanceCalibration();
    SplittableRandom random = new SplittableRandom(2);
    for (int step = 0; step < 400; step++) {
      calibration.decay();
      calibration.observe(1, 0.95f, random.nextDouble() < 0.8);
      calibration.observe(1, 0.15f, random.nextDouble() < 0.05);
    }
    double sure = calibration.conditional(1, 0.95f);
    double unsure = calibration.conditional(1, 0.15f);
    assertEquals(0.8, sure, 0.1);
    assertTrue(unsure < 0.15, "unsure drafts are accepted 5 % of the time, estimated " + unsure);
    // A bucket never seen follows its depth's ratio of accepted to expected.
    double unseen = calibration.conditional(1, 0.55f);
    assertTrue(unseen > unsure && unseen < sure, "unseen bucket " + unseen);
  }

  @Test
  void nothingAcceptedDrivesTheEstimateTowardsZero() {
    AcceptanceCalibration calibration = new AcceptanceCalibration();
    for (int step = 0; step < 100; step++) {
      calibration.decay();
      calibration.observe(1, 0.9f, false);
    }
    assertTrue(calibration.conditional(1, 0.9f) < 0.1);
    assertTrue(calibration.conditional(1, 0.3f) < 0.1);
  }
}
