// Objects of the synthetic street scenes: vehicles, riders, people, poles with signs and
// traffic lights, and clutter on the sidewalks.
#include "data/images/synthetic_scene.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace efm::detail::streets {
namespace {

struct Object {
  double t;  // depth of the object's foot
  double u;  // centre column
  uint8_t kind;
  double size;  // a per-object variation factor around 1
};

// Height in v units of `metres` at depth t.
double tall(const Canvas& canvas, const Street& street, double t, double metres) {
  return metres * street.metre(t) * canvas.aspect();
}

void paintVehicle(Canvas& canvas, const Street& street, const Object& o) {
  const double m = street.metre(o.t);
  const double foot = street.rowAt(o.t);
  if (o.kind == kCar) {
    const double w = 1.8 * o.size * m, h = tall(canvas, street, o.t, 1.5 * o.size);
    canvas.rect(o.u - w / 2, foot - 0.55 * h, o.u + w / 2, foot, kCar);
    canvas.rect(o.u - 0.36 * w, foot - h, o.u + 0.36 * w, foot - 0.5 * h, kCar);
  } else if (o.kind == kTruck || o.kind == kBus) {
    const double w = 2.5 * m, h = tall(canvas, street, o.t, (o.kind == kBus ? 3.2 : 3.6) * o.size);
    canvas.rect(o.u - w / 2, foot - h, o.u + w / 2, foot, o.kind);
  } else {  // a two-wheeler seen from behind, and its rider
    const double w = 0.6 * m, h = tall(canvas, street, o.t, 1.0);
    canvas.rect(o.u - w / 4, foot - h, o.u + w / 4, foot, o.kind);
    canvas.rect(o.u - w / 2, foot - h, o.u + w / 2, foot - 0.85 * h, o.kind);  // handlebar
    const double r = tall(canvas, street, o.t, 0.9 * o.size);
    canvas.ellipse(o.u, foot - h - 0.3 * r, 0.3 * m, 0.6 * r, kRider);
    canvas.ellipse(o.u, foot - h - r, 0.13 * m, 0.2 * r, kRider);
  }
}

void paintPerson(Canvas& canvas, const Street& street, const Object& o) {
  const double m = street.metre(o.t);
  const double h = tall(canvas, street, o.t, 1.75 * o.size);
  const double foot = street.rowAt(o.t);
  canvas.rect(o.u - 0.12 * m, foot - 0.48 * h, o.u - 0.02 * m, foot, kPerson);  // legs
  canvas.rect(o.u + 0.02 * m, foot - 0.48 * h, o.u + 0.12 * m, foot, kPerson);
  canvas.ellipse(o.u, foot - 0.66 * h, 0.24 * m, 0.22 * h, kPerson);  // body
  canvas.ellipse(o.u, foot - 0.92 * h, 0.11 * m, 0.08 * h, kPerson);  // head
}

void paintPole(Canvas& canvas, const Street& street, const Object& o, SplitMix& rng) {
  const double m = street.metre(o.t);
  const double h = tall(canvas, street, o.t, 5.0 * o.size);
  const double foot = street.rowAt(o.t);
  const double w = std::max(0.14 * m, 0.6 / canvas.width());  // stays visible far away
  canvas.rect(o.u - w / 2, foot - h, o.u + w / 2, foot, kPole);
  const double what = rng.uniform();
  if (what < 0.45) {  // a sign, round or square, at the top
    const double s = 0.35 * m, sv = tall(canvas, street, o.t, 0.35);
    if (rng.chance(0.5))
      canvas.ellipse(o.u, foot - 0.85 * h, s, sv, kTrafficSign);
    else
      canvas.rect(o.u - s, foot - 0.85 * h - sv, o.u + s, foot - 0.85 * h + sv, kTrafficSign);
  } else if (what < 0.8) {  // a traffic light hanging towards the road
    const double side = o.u < street.vanish ? 1 : -1;
    const double arm = side * 0.8 * m;
    canvas.rect(std::min(o.u, o.u + arm), foot - h, std::max(o.u, o.u + arm),
                foot - h + tall(canvas, street, o.t, 0.12), kPole);
    const double lu = o.u + arm;
    canvas.rect(lu - 0.18 * m, foot - h, lu + 0.18 * m, foot - h + tall(canvas, street, o.t, 0.9),
                kTrafficLight);
  }
}

}  // namespace

void paintObjects(Canvas& canvas, const Street& street, SplitMix& rng) {
  std::vector<Object> objects;
  const double roadHalf = 0.5 * (street.roadRight - street.roadLeft);
  const double roadMiddle = 0.5 * (street.roadRight + street.roadLeft);
  auto onRoad = [&](double t, double lateral) {
    return street.along(roadMiddle + lateral * roadHalf, t);
  };
  // On a sidewalk: `across` 0 at the kerb, 1 at the facade.
  auto onSidewalk = [&](double t, bool left, double across) {
    const double kerb = left ? street.roadLeft : street.roadRight;
    const double outer = left ? street.sideLeft : street.sideRight;
    return street.along(kerb + across * (outer - kerb), t);
  };
  const int cars = rng.integer(2, 8);
  for (int i = 0; i < cars; ++i) {
    const double t = rng.uniform(0.04, 0.7);
    objects.push_back({t, onRoad(t, rng.uniform(-0.8, 0.8)), kCar, rng.uniform(0.9, 1.15)});
  }
  for (uint8_t kind : {kTruck, kBus}) {
    if (!rng.chance(kind == kTruck ? 0.35 : 0.25)) continue;
    const double t = rng.uniform(0.05, 0.45);
    objects.push_back({t, onRoad(t, rng.uniform(-0.6, 0.6)), kind, rng.uniform(0.9, 1.1)});
  }
  const int twoWheelers = rng.integer(0, 2);
  for (int i = 0; i < twoWheelers; ++i) {
    const double t = rng.uniform(0.08, 0.6);
    objects.push_back({t, onRoad(t, rng.chance(0.5) ? -0.85 : 0.85),
                       rng.chance(0.5) ? kBicycle : kMotorcycle, rng.uniform(0.9, 1.1)});
  }
  const int people = rng.integer(1, 8);
  for (int i = 0; i < people; ++i) {
    const double t = rng.uniform(0.06, 0.8);
    objects.push_back({t, onSidewalk(t, rng.chance(0.5), rng.uniform(0.2, 0.9)), kPerson,
                       rng.uniform(0.85, 1.1)});
  }
  const int poles = rng.integer(2, 6);
  for (int i = 0; i < poles; ++i) {
    const double t = rng.uniform(0.05, 0.7);
    objects.push_back({t, onSidewalk(t, rng.chance(0.5), 0.1), kPole, rng.uniform(0.8, 1.2)});
  }
  const int clutter = rng.integer(0, 3);  // bins, benches, prams: static and dynamic objects
  for (int i = 0; i < clutter; ++i) {
    const double t = rng.uniform(0.1, 0.8);
    objects.push_back({t, onSidewalk(t, rng.chance(0.5), rng.uniform(0.4, 0.9)),
                       rng.chance(0.5) ? kStatic : kDynamic, rng.uniform(0.6, 1.4)});
  }
  // Far to near, so that nearer objects hide farther ones.
  std::stable_sort(objects.begin(), objects.end(),
                   [](const Object& a, const Object& b) { return a.t < b.t; });
  for (const Object& o : objects) {
    switch (o.kind) {
      case kPerson:
        paintPerson(canvas, street, o);
        break;
      case kPole:
        paintPole(canvas, street, o, rng);
        break;
      case kStatic:
      case kDynamic: {
        const double m = street.metre(o.t), foot = street.rowAt(o.t);
        canvas.rect(o.u - 0.4 * o.size * m, foot - tall(canvas, street, o.t, 0.9 * o.size),
                    o.u + 0.4 * o.size * m, foot, o.kind);
        break;
      }
      default:
        paintVehicle(canvas, street, o);
    }
  }
}

}  // namespace efm::detail::streets
