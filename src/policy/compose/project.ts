import type { CMap, CNode, Loc } from './nodes.js';

export interface SourceFile {
  path: string;
  text: string;
}

export interface ServiceModel {
  name: string;
  node: CMap;
  /** The service's key in the first file that declares it: where "missing" findings point. */
  keyLoc: Loc;
  profiles: string[];
}

export interface ComposeProblem {
  file: number;
  offset: number;
  message: string;
  hint: string;
}

export interface ComposeProject {
  files: SourceFile[];
  services: ServiceModel[];
  /** Top-level keys other than services (volumes, networks…), merged. */
  root: CMap | undefined;
  problems: ComposeProblem[];
}

export type { CNode };
