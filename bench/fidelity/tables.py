#!/usr/bin/python3
"""The joint tables of the fidelity benchmark and the ablation, written as efm pmf files
(one line per labeling: its labels, then its probability) into a folder:

    tables.py OUT_DIR      # writes coupled.pmf, potts3.pmf and ring4.pmf

coupled: coupled-binary (2 variables, 2 classes). potts3: a Potts chain of 3 variables with
3 classes, p(x) ∝ exp(2·[x1 = x2] + 2·[x2 = x3] + 0.5·[x1 = 0] − 0.5·[x3 = 2]). ring4: a
Potts ring of 4 variables with 3 classes, coupling 1.5, and 0.7·[x1 = 1]."""
import itertools, math, os, sys


def potts3_energy(x):
    return 2.0 * (x[0] == x[1]) + 2.0 * (x[1] == x[2]) + 0.5 * (x[0] == 0) - 0.5 * (x[2] == 2)


def ring4_energy(x):
    return sum(1.5 * (x[k] == x[(k + 1) % 4]) for k in range(4)) + 0.7 * (x[0] == 1)


def write_gibbs(path, title, variables, classes, energy):
    rows = [(x, math.exp(energy(x))) for x in itertools.product(range(classes), repeat=variables)]
    total = sum(w for _, w in rows)
    with open(path, "w") as f:
        f.write("# " + title + "\n")
        for x, w in rows:
            f.write(" ".join(map(str, x)) + " %.10f\n" % (w / total))


def write_tables(out):
    with open(os.path.join(out, "coupled.pmf"), "w") as f:
        f.write("0 0 0.45\n0 1 0.05\n1 0 0.05\n1 1 0.45\n")
    write_gibbs(os.path.join(out, "potts3.pmf"),
                "Potts chain: 3 variables, 3 classes, coupling 2 between neighbours", 3, 3,
                potts3_energy)
    write_gibbs(os.path.join(out, "ring4.pmf"),
                "Potts ring: 4 variables, 3 classes, coupling 1.5 around the ring", 4, 3,
                ring4_energy)


if __name__ == "__main__":
    write_tables(sys.argv[1])
