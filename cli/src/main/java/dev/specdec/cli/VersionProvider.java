package dev.specdec.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest ({@code Implementation-Version}). */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = SpecdecCommand.class.getPackage().getImplementationVersion();
    return new String[] {"specdec " + (version != null ? version : "(development build)")};
  }
}
