package org.chexnet.evaluation.calibration;

/**
 * Platt scaling on the logit: calibrated = sigmoid(slope * logit(p) + intercept).
 *
 * <p>The feature is the logit of the probability, the network's own decision value before its
 * sigmoid, as scikit-learn's {@code CalibratedClassifierCV(method='sigmoid')} uses a model's
 * decision function. So slope 1 and intercept 0 is the identity, and the fit can only sharpen or
 * soften and shift the network's logits (temperature scaling with a bias). A fit on the probability
 * itself could not even represent the identity. Probabilities are clipped to [1e-7, 1 - 1e-7]
 * first: a float32 sigmoid rounds to exactly 1 above a logit of about 17, and predictions files
 * keep six decimals, so 0 and 1 occur.
 *
 * <p>The fit is Platt's (2000), as scikit-learn's {@code _sigmoid_calibration}: the cross-entropy
 * of sigmoid(slope * f + intercept) against smoothed targets, (P + 1) / (P + 2) for a positive and
 * 1 / (N + 2) for a negative (P positives, N negatives), minimised by Newton's method with a
 * backtracking line search from Platt's start (slope 0, intercept log((P + 1) / (N + 1))) until the
 * step is below 1e-12. scikit-learn stops its L-BFGS at a gradient of 1e-6, so its parameters agree
 * with these to about 1e-5; the exact minimum is what the tests compare to 1e-9.
 */
public record PlattScaling(double slope, double intercept) implements ClassCalibrator {

  static final double CLIP = 1e-7;
  private static final int MAX_ITERATIONS = 100;

  /**
   * @param labels 1 positive, 0 negative; both must occur
   * @throws IllegalArgumentException when the labels hold no positive or no negative
   */
  public static PlattScaling fit(float[] probabilities, float[] labels) {
    ReliabilityBins.checkLengths(probabilities, labels);
    int n = probabilities.length;
    double[] feature = new double[n];
    boolean[] positive = new boolean[n];
    int positives = 0;
    for (int i = 0; i < n; i++) {
      feature[i] = logit(probabilities[i]);
      positive[i] = ReliabilityBins.isPositive(labels[i]);
      positives += positive[i] ? 1 : 0;
    }
    int negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      throw new IllegalArgumentException(
          "Platt scaling needs positive and negative images, got "
              + positives
              + " positives and "
              + negatives
              + " negatives");
    }
    double targetPositive = (positives + 1.0) / (positives + 2.0);
    double targetNegative = 1.0 / (negatives + 2.0);
    double[] target = new double[n];
    for (int i = 0; i < n; i++) {
      target[i] = positive[i] ? targetPositive : targetNegative;
    }

    double slope = 0;
    double intercept = Math.log((positives + 1.0) / (negatives + 1.0));
    double loss = loss(feature, target, slope, intercept);
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      // Gradient and Hessian of the summed cross-entropy in (slope, intercept).
      double gSlope = 0;
      double gIntercept = 0;
      double hSlopeSlope = 0;
      double hSlopeIntercept = 0;
      double hInterceptIntercept = 0;
      for (int i = 0; i < n; i++) {
        double p = sigmoid(slope * feature[i] + intercept);
        double residual = p - target[i];
        double curvature = p * (1 - p);
        gSlope += residual * feature[i];
        gIntercept += residual;
        hSlopeSlope += curvature * feature[i] * feature[i];
        hSlopeIntercept += curvature * feature[i];
        hInterceptIntercept += curvature;
      }
      double determinant = hSlopeSlope * hInterceptIntercept - hSlopeIntercept * hSlopeIntercept;
      double stepSlope;
      double stepIntercept;
      if (determinant > 1e-12 * hSlopeSlope * hInterceptIntercept) {
        stepSlope = (hInterceptIntercept * gSlope - hSlopeIntercept * gIntercept) / determinant;
        stepIntercept = (hSlopeSlope * gIntercept - hSlopeIntercept * gSlope) / determinant;
      } else {
        // Every image has the same feature: only the intercept is identified.
        stepSlope = 0;
        stepIntercept = gIntercept / hInterceptIntercept;
      }
      double scale = 1;
      double nextLoss = loss(feature, target, slope - stepSlope, intercept - stepIntercept);
      while (nextLoss > loss && scale > 1e-10) {
        scale /= 2;
        nextLoss =
            loss(feature, target, slope - scale * stepSlope, intercept - scale * stepIntercept);
      }
      if (nextLoss > loss) {
        break; // no step lowers the loss any more: at the minimum to rounding
      }
      slope -= scale * stepSlope;
      intercept -= scale * stepIntercept;
      loss = nextLoss;
      if (Math.abs(scale * stepSlope) < 1e-12 * Math.max(1, Math.abs(slope))
          && Math.abs(scale * stepIntercept) < 1e-12 * Math.max(1, Math.abs(intercept))) {
        break;
      }
    }
    return new PlattScaling(slope, intercept);
  }

  @Override
  public double apply(double probability) {
    return sigmoid(slope * logit(probability) + intercept);
  }

  /** log(p / (1 - p)) of p clipped to [1e-7, 1 - 1e-7]. */
  static double logit(double probability) {
    double p = Math.min(1 - CLIP, Math.max(CLIP, probability));
    return Math.log(p / (1 - p));
  }

  private static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }

  /** Summed cross-entropy, log(1 + e^z) - t z written so that it neither overflows nor cancels. */
  private static double loss(double[] feature, double[] target, double slope, double intercept) {
    double sum = 0;
    for (int i = 0; i < feature.length; i++) {
      double z = slope * feature[i] + intercept;
      sum += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - target[i] * z;
    }
    return sum;
  }
}
