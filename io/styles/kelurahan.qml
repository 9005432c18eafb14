<!DOCTYPE qgis><qgis/>
