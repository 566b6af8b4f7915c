#include "widgets/image_data_spec.h"

#include <QStringList>

namespace efm::ui {

ImageDataSpec::Kind ImageDataSpec::kindOf(const QString& spec) {
  const QString text = spec.trimmed();
  if (text.startsWith("cityscapes:")) return Kind::Cityscapes;
  if (text.startsWith("idx:")) return Kind::Idx;
  return Kind::None;
}

ImageDataSpec ImageDataSpec::parse(const QString& spec) {
  ImageDataSpec result;
  const QString text = spec.trimmed();
  result.kind = kindOf(text);
  if (result.kind == Kind::None) return result;
  const QString rest = text.mid(text.indexOf(':') + 1);
  const int query = rest.lastIndexOf('?');
  result.target = query < 0 ? rest : rest.left(query);
  if (query >= 0) {
    for (const QString& item : rest.mid(query + 1).split('&', Qt::SkipEmptyParts)) {
      const int equals = item.indexOf('=');
      if (equals < 0)
        result.params.append({item, QString()});
      else
        result.params.append({item.left(equals), item.mid(equals + 1)});
    }
  }
  return result;
}

QString ImageDataSpec::toString() const {
  if (kind == Kind::None) return target;
  QString text = (kind == Kind::Cityscapes ? "cityscapes:" : "idx:") + target;
  QStringList query;
  for (const auto& [key, value] : params) query << (value.isEmpty() ? key : key + "=" + value);
  if (!query.isEmpty()) text += "?" + query.join('&');
  return text;
}

bool ImageDataSpec::has(const QString& key) const {
  for (const auto& item : params)
    if (item.first == key) return true;
  return false;
}

QString ImageDataSpec::value(const QString& key, const QString& fallback) const {
  for (const auto& item : params)
    if (item.first == key) return item.second;
  return fallback;
}

void ImageDataSpec::set(const QString& key, const QString& value) {
  for (int i = 0; i < params.size(); ++i) {
    if (params[i].first != key) continue;
    if (value.isEmpty())
      params.removeAt(i);
    else
      params[i].second = value;
    return;
  }
  if (!value.isEmpty()) params.append({key, value});
}

}  // namespace efm::ui
