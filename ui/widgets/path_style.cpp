#include "widgets/path_style.h"

#include "efm/path_palette.h"

namespace efm::ui {

QColor pathColour(const QString& path) {
  const PathRgb c = pathRgb(path.toStdString());  // shared with the benchmarks' plots
  return QColor(c.r, c.g, c.b);
}

QString pathDescription(const QString& path) {
  if (path == "ray")
    return "ours: the journal's e-geodesic ray path; the flow runs in logit coordinates "
           "from t = 0 to 15, sampled with RK4 at step 0.2";
  if (path == "bridge")
    return "ours: the preprint's e-geodesic bridge; the same flow and sampler as ray";
  if (path == "linear")
    return "peer: linear simplex flow matching (Dirichlet(1) prior, straight lines to the "
           "data, cross-entropy denoiser); t from 0 to 1, Euler only (singular at t = 1)";
  if (path == "dirichlet")
    return "peer: Dirichlet flow matching (Stark et al. 2024); its time is the concentration "
           "alpha from 1 to 8, Euler steps over alpha";
  if (path == "fisher")
    return "peer: Fisher-Rao flow matching on the sphere (Davis et al. 2024, Cheng et al. "
           "2024); t from 0 to 1, Euler steps along great circles";
  return path;
}

}  // namespace efm::ui
