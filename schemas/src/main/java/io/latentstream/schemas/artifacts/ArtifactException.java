package io.latentstream.schemas.artifacts;

/** A model package on Kafka cannot be used; {@link #problem()} says why. */
public class ArtifactException extends RuntimeException {
  private final ArtifactProblem problem;

  public ArtifactException(ArtifactProblem problem, String message) {
    super(message);
    this.problem = problem;
  }

  public ArtifactException(ArtifactProblem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  public ArtifactProblem problem() {
    return problem;
  }
}
